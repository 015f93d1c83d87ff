/** The progress view for programs: JSON Lines, one object per change. */
import { ChangeTracker, changeLineView, type ProgressChange } from "./changes.ts";
import type { ProgressOut, ProgressView } from "./model.ts";
import { runCounts } from "./tally.ts";

/**
 * A view that writes one JSON object per line for each change (see {@link ChangeTracker}),
 * and nothing when nothing changed. Every object has `event` ("run", "step" or "task") and
 * `at` (`now` as ISO-8601 with milliseconds); times inside are ISO-8601 or null:
 * - run: `id`, `name`, `status`, `startedAt`, `finishedAt`, `final`; a final one (the last
 *   line `finish` writes, or when the run ends) adds `durationMs` and `counts`
 *   (`{ tasks: { total, queued, ... }, steps: { total, pending, ... } }`, by exact status).
 * - step: `run` (the run id), `name`, `status`, `previous`, `reason`.
 * - task: `run`, `step` (its name), `id`, `label`, `status`, `previous`, `attempts`, `retry`,
 *   `error`, `startedAt`, `finishedAt`, `durationMs` (null until it has finished).
 *
 * @example
 * ```ts
 * const view = createJsonView({ write: (s) => process.stdout.write(s), columns: 80, rows: 24 });
 * view.update(run, Date.now());
 * // {"event":"task","at":"2025-01-01T12:00:03.000Z","run":"run-1","step":"test","id":"t-1",...}
 * ```
 */
export function createJsonView(out: ProgressOut): ProgressView {
  return changeLineView(out, (changes, now) => {
    const at = new Date(now).toISOString();
    return changes.map((change) => `${JSON.stringify(changeEvent(change, at, now))}\n`).join("");
  });
}

/**
 * The JSON object for one change (see {@link createJsonView} for its fields).
 *
 * @example
 * ```ts
 * changeEvent({ kind: "step", run, step, previous: null }, "2025-01-01T12:00:00.000Z", now);
 * // { event: "step", at: "2025-01-01T12:00:00.000Z", run: "run-1", name: "test", status: "running", ... }
 * ```
 */
export function changeEvent(change: ProgressChange, at: string, now: number): Record<string, unknown> {
  switch (change.kind) {
    case "run": {
      const { run } = change;
      const base = {
        event: "run",
        at,
        id: run.id,
        name: run.name,
        status: run.status,
        startedAt: isoOrNull(run.startedAt),
        finishedAt: isoOrNull(run.finishedAt),
        final: change.final,
      };
      if (!change.final) return base;
      return { ...base, durationMs: (run.finishedAt ?? now) - run.startedAt, counts: runCounts(run) };
    }
    case "step": {
      const { step } = change;
      return {
        event: "step",
        at,
        run: change.run.id,
        name: step.name,
        status: step.status,
        previous: change.previous,
        reason: step.reason,
      };
    }
    case "task": {
      const { task } = change;
      const ended = task.finishedAt !== null && task.startedAt !== null;
      return {
        event: "task",
        at,
        run: change.run.id,
        step: change.step.name,
        id: task.id,
        label: task.label,
        status: task.status,
        previous: change.previous?.status ?? null,
        attempts: task.attempts,
        retry: change.retry,
        error: task.error,
        startedAt: isoOrNull(task.startedAt),
        finishedAt: isoOrNull(task.finishedAt),
        durationMs: ended ? task.finishedAt! - task.startedAt! : null,
      };
    }
  }
}

/** An epoch-ms time as ISO-8601, or null when unknown or not a valid time. */
function isoOrNull(ms: number | null): string | null {
  return ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}
