/** Whether a pending step can start, must wait, or will never run. */
import type { StepStatus, WorkflowStep } from "./types.ts";

/** What {@link stepVerdict} returns. */
export type StepVerdict = { kind: "wait" } | { kind: "start" } | { kind: "skip"; reason: string };

/**
 * What to do with a pending step given the statuses of the others: skip it when something it
 * needs failed, was skipped or was cancelled (naming the first such need in its list); start it
 * when everything it needs succeeded; wait otherwise.
 *
 * @example
 * ```ts
 * stepVerdict(test, (name) => (name === "build" ? "succeeded" : "pending")); // { kind: "start" }
 * stepVerdict(test, () => "failed"); // { kind: "skip", reason: "needs build, which failed" }
 * stepVerdict(test, () => "running"); // { kind: "wait" }
 * ```
 */
export function stepVerdict(step: WorkflowStep, status: (name: string) => StepStatus): StepVerdict {
  let ready = true;
  for (const need of step.needs) {
    const s = status(need);
    if (s === "failed" || s === "skipped" || s === "cancelled") {
      return { kind: "skip", reason: `needs ${need}, which ${s === "failed" ? "failed" : `was ${s}`}` };
    }
    if (s !== "succeeded") ready = false;
  }
  return ready ? { kind: "start" } : { kind: "wait" };
}
