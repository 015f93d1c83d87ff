import type { OrchEvent, Task, TaskAttempt, Worker } from "../domain/types.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A task as the CLI contract's Task JSON. */
export function taskJson(t: Task) {
  return {
    id: t.id,
    worker: t.worker,
    status: t.status,
    exitCode: t.exitCode,
    output: t.output,
    submittedAt: iso(t.submittedAt),
    startedAt: iso(t.startedAt),
    finishedAt: iso(t.finishedAt),
    attempts: t.attempts,
    error: t.error,
    text: t.text,
    priority: t.priority,
    timeoutMs: t.timeoutMs,
    /** What the agent reported besides the output (exitReason, sessionId, tokens, costUsd), or null. */
    result: t.result,
    /** The agent type a pool task asked for (null for a task sent to one worker). */
    agentType: t.agentType,
    project: t.project,
    runId: t.runId,
    step: t.step,
    maxRetries: t.maxRetries,
    /** A queued retry does not start before this time. */
    notBefore: t.notBefore ? iso(t.notBefore) : null,
    /**
     * The size in bytes of the whole output when `output` holds only its head and tail (it was
     * over maxOutputBytes; `orch task ID --full` prints all of it); null when it is whole.
     */
    outputBytes: t.outputBytes ?? null,
    /** The host the task was dispatched on (`local`, or a host's name); null before it was. */
    host: t.host ?? null,
  };
}
export type TaskJson = ReturnType<typeof taskJson>;

/** A worker as the CLI contract's Worker JSON (plus `ready` and `error`). */
export function workerJson(w: Worker, ready: boolean) {
  return {
    id: w.id,
    name: w.name,
    type: w.type,
    project: w.project,
    state: w.state,
    paneId: w.paneId,
    currentTask: w.currentTask,
    restarts: w.restarts,
    ready,
    error: w.error,
    createdAt: iso(w.createdAt),
    /** The git worktree orch made for the worker (`add-worker --worktree`), or null. */
    worktree: w.worktree,
    /** The machine the worker runs on: `local`, or a host added with `orch host add`. */
    host: w.host,
  };
}
export type WorkerJson = ReturnType<typeof workerJson>;

export function eventJson(e: OrchEvent) {
  return { ...e, at: iso(e.at) };
}

/** An earlier attempt of a retried task. */
export function attemptJson(a: TaskAttempt) {
  return {
    attempt: a.attempt,
    worker: a.worker,
    status: a.status,
    exitCode: a.exitCode,
    startedAt: iso(a.startedAt),
    finishedAt: iso(a.finishedAt),
    error: a.error,
    output: a.output,
  };
}
export type AttemptJson = ReturnType<typeof attemptJson>;
