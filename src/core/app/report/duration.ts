import type { ReportTask } from "./types.ts";

/**
 * A duration as people read it: `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`. Rounds to the
 * unit shown; a negative duration gets a leading `-`.
 *
 * @example
 * ```ts
 * formatDuration(850); // "850 ms"
 * formatDuration(12_345); // "12.3 s"
 * formatDuration(245_000); // "4 min 05 s"
 * formatDuration(7_380_000); // "2 h 03 min"
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`duration ${ms}: expected a finite number of milliseconds`);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${pad2(seconds % 60)} s`;
  const minutes = Math.round(ms / 60_000);
  return `${Math.floor(minutes / 60)} h ${pad2(minutes % 60)} min`;
}

/**
 * How long a finished task ran (`finishedAt - startedAt`, never negative); null if it never
 * started or has not finished.
 *
 * @example
 * ```ts
 * taskDurationMs({ startedAt: 1000, finishedAt: 4500 }); // 3500
 * taskDurationMs({ startedAt: 1000, finishedAt: null }); // null
 * ```
 */
export function taskDurationMs(task: Pick<ReportTask, "startedAt" | "finishedAt">): number | null {
  if (task.startedAt === null || task.finishedAt === null) return null;
  return Math.max(0, task.finishedAt - task.startedAt);
}

/**
 * A task's duration for a table cell: finished tasks their run time, running ones the time
 * so far up to `now`, tasks that never started `—`.
 *
 * @example
 * ```ts
 * taskDurationLabel({ startedAt: 0, finishedAt: 850 }, 9999); // "850 ms"
 * taskDurationLabel({ startedAt: 0, finishedAt: null }, 2000); // "2.0 s so far"
 * ```
 */
export function taskDurationLabel(task: Pick<ReportTask, "startedAt" | "finishedAt">, now: number): string {
  const done = taskDurationMs(task);
  if (done !== null) return formatDuration(done);
  if (task.startedAt === null) return "—";
  return `${formatDuration(Math.max(0, now - task.startedAt))} so far`;
}

/**
 * An epoch time as ISO-8601 with milliseconds in UTC, or null for null.
 *
 * @example
 * ```ts
 * isoTime(0); // "1970-01-01T00:00:00.000Z"
 * isoTime(null); // null
 * ```
 */
export function isoTime(ms: number | null): string | null {
  if (ms === null) return null;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) throw new RangeError(`time ${ms}: expected epoch milliseconds`);
  return date.toISOString();
}

/** Two digits, zero-padded. */
function pad2(n: number): string {
  return String(n).padStart(2, "0");
}
