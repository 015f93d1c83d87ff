/** What changed between two snapshots of a run, for the line-by-line views (plain, JSON). */
import type {
  ProgressOut,
  ProgressRun,
  ProgressRunStatus,
  ProgressStep,
  ProgressStepStatus,
  ProgressTask,
  ProgressTaskStatus,
  ProgressView,
} from "./model.ts";
import { isStepFinished } from "./tally.ts";

/** One thing that changed; `previous` is what was seen before (null: first seen). */
export type ProgressChange =
  | { kind: "run"; run: ProgressRun; previous: ProgressRunStatus | null; final: boolean }
  | { kind: "step"; run: ProgressRun; step: ProgressStep; previous: ProgressStepStatus | null }
  | {
      kind: "task";
      run: ProgressRun;
      step: ProgressStep;
      task: ProgressTask;
      previous: { status: ProgressTaskStatus; attempts: number } | null;
      /** Attempts went up from 1 or more: a new attempt after a failed one. */
      retry: boolean;
    };

/**
 * Remembers what it was shown and reports what changed since. A change is:
 * - run: its status differs from the last one seen (the first sight included). A run event
 *   for a finished status, or the one {@link ChangeTracker.finish} adds, is `final`.
 * - step: its status differs; a step first seen pending is not a change.
 * - task: a retry (attempts went up from 1 or more), or its status changed to anything but
 *   `dispatched`; a task first seen queued or dispatched is not a change. At most one change
 *   per task per call.
 * Changes come in the run's order, a start before what it contains and an end after it: a run
 * that started, then for each step in turn: a step that started, its tasks, a step that
 * ended; then a run that ended. Steps are known by name, tasks by step name and id.
 *
 * @example
 * ```ts
 * const tracker = new ChangeTracker();
 * tracker.changes(run); // [{ kind: "run", ... }, { kind: "step", ... }, ...]
 * tracker.changes(run); // [] (nothing changed)
 * ```
 */
export class ChangeTracker {
  #run: ProgressRunStatus | null = null;
  #steps = new Map<string, ProgressStepStatus>();
  #tasks = new Map<string, { status: ProgressTaskStatus; attempts: number }>();
  #finalSeen = false;

  /** What changed since the last call. */
  changes(run: ProgressRun): ProgressChange[] {
    const out: ProgressChange[] = [];
    const previousRun = this.#run;
    const runChanged = previousRun !== run.status;
    const final = run.status !== "running";
    this.#run = run.status;
    if (runChanged && !final) out.push({ kind: "run", run, previous: previousRun, final: false });
    for (const step of run.steps) {
      const previous = this.#steps.get(step.name) ?? null;
      this.#steps.set(step.name, step.status);
      const changed = previous === null ? step.status !== "pending" : previous !== step.status;
      const ended = isStepFinished(step.status);
      if (changed && !ended) out.push({ kind: "step", run, step, previous });
      for (const task of step.tasks) this.#taskChange(run, step, task, out);
      if (changed && ended) out.push({ kind: "step", run, step, previous });
    }
    if (runChanged && final) {
      this.#finalSeen = true;
      out.push({ kind: "run", run, previous: previousRun, final: true });
    }
    return out;
  }

  /** What changed since the last call, ending with a final run event if there was none yet. */
  finish(run: ProgressRun): ProgressChange[] {
    const out = this.changes(run);
    if (!this.#finalSeen) {
      this.#finalSeen = true;
      out.push({ kind: "run", run, previous: run.status, final: true });
    }
    return out;
  }

  #taskChange(run: ProgressRun, step: ProgressStep, task: ProgressTask, out: ProgressChange[]): void {
    const key = `${step.name}\u0000${task.id}`;
    const previous = this.#tasks.get(key) ?? null;
    this.#tasks.set(key, { status: task.status, attempts: task.attempts });
    const retry = previous !== null && previous.attempts >= 1 && task.attempts > previous.attempts;
    const changed =
      previous === null
        ? task.status !== "queued" && task.status !== "dispatched"
        : retry || (task.status !== previous.status && task.status !== "dispatched");
    if (changed) out.push({ kind: "task", run, step, task, previous, retry });
  }
}

/**
 * A view that writes the lines `render` makes of each update's changes (nothing when nothing
 * changed), and of what `finish` adds; calls after `finish` do nothing. The plain and JSON
 * views are this with their own line format.
 *
 * @example
 * ```ts
 * const view = changeLineView(out, (changes, now) => changes.map((c) => `${c.kind}\n`).join(""));
 * ```
 */
export function changeLineView(
  out: ProgressOut,
  render: (changes: ProgressChange[], now: number) => string,
): ProgressView {
  const tracker = new ChangeTracker();
  let finished = false;
  const print = (changes: ProgressChange[], now: number): void => {
    if (changes.length > 0) out.write(render(changes, now));
  };
  return {
    update(run, now) {
      if (!finished) print(tracker.changes(run), now);
    },
    finish(run, now) {
      if (finished) return;
      finished = true;
      print(tracker.finish(run), now);
    },
  };
}
