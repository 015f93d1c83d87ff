/** Counting things by status: one zeroed record per status list, shared by the views and reports. */
import type { StepStatus } from "./types.ts";

/** Every step status, in the order a run moves through them. */
export const STEP_STATUSES: readonly StepStatus[] = [
  "pending",
  "running",
  "succeeded",
  "failed",
  "skipped",
  "cancelled",
];

/**
 * How many of `items` have each of `statuses` (0 for the ones none has).
 *
 * @example
 * ```ts
 * countStatuses(TASK_STATUSES, [{ status: "failed" }, { status: "failed" }]).failed; // 2
 * ```
 */
export function countStatuses<S extends string>(
  statuses: readonly S[],
  items: Iterable<{ status: S }>,
): Record<S, number> {
  const counts = Object.fromEntries(statuses.map((s) => [s, 0])) as Record<S, number>;
  for (const item of items) counts[item.status] += 1;
  return counts;
}
