import { type RetryPolicy, retryDecision } from "../domain/retry.ts";
import { assertTaskTransition } from "../domain/task-status.ts";
import type { Task } from "../domain/types.ts";
import type { Store } from "../store/index.ts";

/**
 * Inside the commit that ended an attempt: a failed or timed-out task with retries left goes
 * back to the queue (its attempt kept in the store) after the policy's backoff. Returns the task.
 *
 * @example
 * store.transaction(() => retryOrFinal(store, policy, store.tasks.update(id, { status: "failed" })!));
 */
export function retryOrFinal(store: Store, policy: RetryPolicy, t: Task): Task {
  if ((t.status !== "failed" && t.status !== "timed_out") || t.attempts > t.maxRetries) return t;
  const decision = retryDecision({ ...policy, maxRetries: t.maxRetries }, t.attempts, t.error ?? "");
  if (!decision.retry) return t;
  keepAttempt(store, t);
  assertTaskTransition(t.status, "queued");
  const requeued = store.tasks.update(t.id, {
    status: "queued",
    // a pool task may run on any worker of its type; a sent one stays with its worker
    ...(t.agentType !== null ? { worker: null } : {}),
    notBefore: Date.now() + decision.delayMs,
    error: `attempt ${t.attempts} of ${t.maxRetries + 1} ${t.status === "timed_out" ? "timed out" : "failed"}: ${t.error ?? ""}; retrying in ${decision.delayMs} ms`,
  });
  return requeued ?? t;
}

/** Records an ended attempt of a task that goes back to the queue. */
export function keepAttempt(store: Store, t: Task): void {
  store.attempts.add({
    taskId: t.id,
    attempt: t.attempts,
    worker: t.worker,
    status: t.status,
    exitCode: t.exitCode,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
    error: t.error,
    output: t.output,
  });
}
