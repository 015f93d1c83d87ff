import { formatDuration } from "../../domain/format.ts";
import type { ReportTask } from "./types.ts";

export { formatDuration };

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
