import { IllegalTransitionError } from "./errors.ts";
import type { TaskStatus } from "./types.ts";

/**
 * Every task status, in lifecycle order.
 *
 * @example
 * ```ts
 * TASK_STATUSES[0]; // "queued"
 * ```
 */
export const TASK_STATUSES = [
  "queued",
  "dispatched",
  "running",
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
] as const satisfies readonly TaskStatus[];

/**
 * The statuses in which an attempt is over and its result is recorded. `failed` and
 * `timed_out` may still go back to `queued` for a retry; `succeeded` and `cancelled` never move.
 *
 * @example
 * ```ts
 * FINAL_TASK_STATUSES.includes("timed_out"); // true
 * ```
 */
export const FINAL_TASK_STATUSES = [
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
] as const satisfies readonly TaskStatus[];

const NEXT: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  queued: ["dispatched", "cancelled"],
  // back to queued: the worker crashed before the task started, so it is requeued.
  dispatched: ["running", "queued", "failed", "cancelled"],
  running: ["succeeded", "failed", "timed_out", "cancelled"],
  succeeded: [],
  // back to queued: a retry.
  failed: ["queued"],
  timed_out: ["queued"],
  cancelled: [],
};

/**
 * Narrows a string (from the store, the API, argv) to a `TaskStatus`.
 *
 * @example
 * ```ts
 * isTaskStatus("running"); // true
 * isTaskStatus("done"); // false
 * ```
 */
export function isTaskStatus(value: string): value is TaskStatus {
  return (TASK_STATUSES as readonly string[]).includes(value);
}

/**
 * Whether the task's current attempt is over (see {@link FINAL_TASK_STATUSES}).
 *
 * @example
 * ```ts
 * isFinal("succeeded"); // true
 * isFinal("running"); // false
 * ```
 */
export function isFinal(status: TaskStatus): boolean {
  return (FINAL_TASK_STATUSES as readonly TaskStatus[]).includes(status);
}

/**
 * The statuses a task in `from` may move to.
 *
 * @example
 * ```ts
 * taskTransitionsFrom("failed"); // ["queued"]
 * ```
 */
export function taskTransitionsFrom(from: TaskStatus): readonly TaskStatus[] {
  return NEXT[from];
}

/**
 * Whether a task may move from `from` to `to`. Staying in the same status is not a transition.
 *
 * Allowed: queued -> dispatched | cancelled; dispatched -> running | queued (requeue after a
 * crash) | failed | cancelled; running -> succeeded | failed | timed_out | cancelled;
 * failed | timed_out -> queued (a retry).
 *
 * @example
 * ```ts
 * canTransitionTask("queued", "dispatched"); // true
 * canTransitionTask("succeeded", "queued"); // false
 * ```
 */
export function canTransitionTask(from: TaskStatus, to: TaskStatus): boolean {
  return NEXT[from].includes(to);
}

/**
 * Throws {@link IllegalTransitionError} unless `from -> to` is allowed.
 *
 * @example
 * ```ts
 * assertTaskTransition("running", "succeeded"); // fine
 * assertTaskTransition("succeeded", "running");
 * // throws: illegal task transition: succeeded -> running (succeeded is final)
 * ```
 */
export function assertTaskTransition(from: TaskStatus, to: TaskStatus): void {
  if (!canTransitionTask(from, to)) throw new IllegalTransitionError("task", from, to, NEXT[from]);
}
