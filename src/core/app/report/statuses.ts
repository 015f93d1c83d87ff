import { TASK_STATUSES } from "../../domain/task-status.ts";
import type { ReportStepStatus, ReportTaskStatus } from "./types.ts";

/** Every task status, in lifecycle order (waiting, working, then final). */
export { TASK_STATUSES };

/**
 * Every step status, in the order reports list them.
 *
 * @example
 * ```ts
 * STEP_STATUSES.includes("skipped"); // true
 * ```
 */
export const STEP_STATUSES = [
  "pending",
  "running",
  "succeeded",
  "failed",
  "skipped",
  "cancelled",
] as const satisfies readonly ReportStepStatus[];

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
