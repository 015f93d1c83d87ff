/** The progress view for logs and pipes: one plain line per change, no escapes. */
import { ChangeTracker, changeLineView, type ProgressChange } from "./changes.ts";
import { formatClock, formatDuration, plural } from "./format.ts";
import type { ProgressOut, ProgressRun, ProgressStep, ProgressTask, ProgressView } from "./model.ts";
import { runCounts, tallyStep } from "./tally.ts";
import { oneLine } from "./text-fit.ts";

/**
 * A view that writes one line per change (see {@link ChangeTracker}), stamped with the local
 * time of `now`, and nothing when nothing changed. `finish` ends with the run's summary line.
 *
 * @example
 * ```ts
 * const view = createPlainView({ write: (s) => process.stdout.write(s), columns: 80, rows: 24 });
 * view.update(run, Date.now());
 * // 12:00:00 run ci started (run-1)
 * // 12:00:00 step test started
 * // 12:00:03 test[json-node] succeeded in 1.2 s
 * ```
 */
export function createPlainView(out: ProgressOut): ProgressView {
  return changeLineView(out, (changes, now) => {
    const clock = formatClock(now);
    return changes.map((change) => `${clock} ${describeChange(change, now)}\n`).join("");
  });
}

/**
 * A change in words, without the time.
 *
 * @example
 * ```ts
 * const deploy = { name: "deploy", status: "skipped", reason: "no changes", tasks: [] };
 * describeChange({ kind: "step", run, step: deploy, previous: "pending" }, now);
 * // "step deploy skipped: no changes"
 * ```
 */
export function describeChange(change: ProgressChange, now: number): string {
  switch (change.kind) {
    case "run":
      return change.final
        ? describeRunEnd(change.run, now)
        : `run ${oneLine(change.run.name)} started (${oneLine(change.run.id)})`;
    case "step":
      return describeStep(change.step);
    case "task":
      return describeTask(change.step, change.task, change.retry, now);
  }
}

function describeRunEnd(run: ProgressRun, now: number): string {
  const counts = runCounts(run);
  const tasks = Object.entries(counts.tasks)
    .filter(([status, n]) => status !== "total" && n > 0)
    .map(([status, n]) => `${n} ${status.replace("_", " ")}`);
  const steps = Object.entries(counts.steps)
    .filter(([status, n]) => status !== "total" && n > 0)
    .map(([status, n]) => `${n} ${status}`);
  const elapsed = formatDuration((run.finishedAt ?? now) - run.startedAt);
  const status = run.status === "running" ? "still running" : run.status;
  const taskPart = `${plural(counts.tasks.total, "task")}${tasks.length > 0 ? ` (${tasks.join(", ")})` : ""}`;
  const stepPart = `${plural(counts.steps.total, "step")}${steps.length > 0 ? ` (${steps.join(", ")})` : ""}`;
  return `run ${oneLine(run.name)} ${status} after ${elapsed}: ${stepPart}, ${taskPart}`;
}

function describeStep(step: ProgressStep): string {
  const name = `step ${oneLine(step.name)}`;
  const reason = step.reason === null ? "" : `: ${oneLine(step.reason)}`;
  if (step.status === "running") return `${name} started`;
  if (step.status === "pending" || step.tasks.length === 0) return `${name} ${step.status}${reason}`;
  const tally = tallyStep(step);
  const took =
    tally.startedAt !== null && tally.finishedAt !== null
      ? ` in ${formatDuration(tally.finishedAt - tally.startedAt)}`
      : "";
  const groups = (["done", "failed", "cancelled", "running", "queued"] as const)
    .filter((group) => tally[group] > 0)
    .map((group) => `${tally[group]} ${group}`);
  return `${name} ${step.status}${took} (${plural(tally.total, "task")}: ${groups.join(", ")})${reason}`;
}

function describeTask(step: ProgressStep, task: ProgressTask, retry: boolean, now: number): string {
  const who = task.label === step.name ? oneLine(step.name) : `${oneLine(step.name)}[${oneLine(task.label)}]`;
  const error = task.error === null ? "" : oneLine(task.error);
  const attempt = task.attempts > 1 ? ` (attempt ${task.attempts})` : "";
  switch (task.status) {
    case "succeeded":
    case "failed":
    case "timed_out":
    case "cancelled": {
      const took =
        task.startedAt === null ? "" : ` in ${formatDuration((task.finishedAt ?? now) - task.startedAt)}`;
      return `${who} ${task.status.replace("_", " ")}${took}${attempt}${error ? `: ${error}` : ""}`;
    }
    default:
      if (retry) return `${who} retrying${attempt}${error ? ` after: ${error}` : ""}`;
      return task.status === "running" ? `${who} started${attempt}` : `${who} ${task.status} again${attempt}`;
  }
}
