import { STEP_STATUSES } from "../../domain/status-counts.ts";
import { TASK_STATUSES } from "../../domain/task-status.ts";
import type { ReportTaskStatus } from "./types.ts";

/** Every step and every task status, in the order a run and a task move through them. */
export { STEP_STATUSES, TASK_STATUSES };

/**
 * Whether a task counts as failed in a report: it failed or timed out (a cancelled task was
 * stopped on purpose, so it does not).
 *
 * @example
 * ```ts
 * isFailedTask({ status: "timed_out" }); // true
 * isFailedTask({ status: "cancelled" }); // false
 * ```
 */
export function isFailedTask(task: { status: ReportTaskStatus }): boolean {
  return task.status === "failed" || task.status === "timed_out";
}

/**
 * A status as a word for people: `timed_out` becomes `timed out`.
 *
 * @example
 * ```ts
 * statusLabel("timed_out"); // "timed out"
 * ```
 */
export function statusLabel(status: string): string {
  return status.replaceAll("_", " ");
}
