import { isFinal } from "../domain/task-status.ts";
import type { Task } from "../domain/types.ts";
import type { Store } from "../store/index.ts";
import { workerEvent } from "../store/index.ts";
import { endInLog, recoverFromLog } from "./recover.ts";
import type { TaskFlow } from "./task-flow.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

/**
 * A task in flight on a worker whose pane vanished (the tmux server went away): if its end
 * marker reached the worker's log, it is finished from there. One that had not begun (no
 * start marker seen live or in the log) goes back to the queue (its lost attempt kept), once
 * at least. One that had begun may have done part of its work: it is not run again unless it
 * has retries left (`--retries`, the user's choice); otherwise it fails with `why`, saying so.
 */
export function recoverOrRequeue(
  flow: TaskFlow,
  store: Store,
  rt: WorkerRuntime,
  task: Task,
  logFile: string | null,
  why: string,
): void {
  const out = flow.output(task.id, rt.name);
  const found = logFile
    ? endInLog(logFile, task.id, flow.markerSet.forms(rt.plugin, task.id, task.attempts), out)
    : { ended: false as const, started: false };
  if (found.ended) {
    rt.startedAt = task.startedAt;
    flow.finish(rt, task.id, found.exitCode, out);
    return;
  }
  const now = Date.now();
  const t = store.transaction(() => {
    const cur = store.tasks.get(task.id);
    if (!cur || isFinal(cur.status)) return null;
    const began = found.started || cur.status === "running";
    const lost = store.tasks.update(task.id, {
      status: "failed",
      finishedAt: now,
      startedAt: cur.startedAt ?? now,
      error: began
        ? `${why} while it ran; not run again, as it may have done part of its work (--retries N would run it again)`
        : why,
    });
    if (!lost) return null;
    const requeue = lost.attempts <= (began ? lost.maxRetries : Math.max(lost.maxRetries, 1));
    store.events.append(
      workerEvent(requeue ? "task.requeued" : "task.failed", rt.name, { error: why }, task.id, now),
    );
    if (!requeue) return lost;
    flow.keepAttempt(lost);
    return (
      store.tasks.update(task.id, {
        status: "queued",
        ...(lost.agentType !== null ? { worker: null } : {}),
        notBefore: now,
        error: `attempt ${lost.attempts} was lost (${why}); requeued`,
      }) ?? lost
    );
  });
  if (t) flow.settled(t);
}

/** Finishes a task that ran while the controller was away, from the worker's pipe-pane log. */
export function recoverTask(flow: TaskFlow, rt: WorkerRuntime, task: Task, logFile: string): void {
  rt.phase = "busy";
  rt.startedAt = task.startedAt;
  // its end was seen live, but the store could not take it then (a full disk): written now
  const unsaved = flow.takeUnsaved(task.id);
  if (unsaved) {
    rt.startedAt = unsaved.startedAt ?? task.startedAt;
    queueMicrotask(() => {
      if (rt.phase !== "busy") return;
      flow.finish(rt, task.id, unsaved.exitCode, unsaved.out);
      rt.phase = "ready";
      flow.pump(rt);
    });
    return;
  }
  // onDone may run inside recoverFromLog (the end is already logged): defer it past the assignment
  const out = flow.output(task.id, rt.name);
  rt.recovery = recoverFromLog(
    logFile,
    task.id,
    flow.markerSet.forms(rt.plugin, task.id, task.attempts),
    out,
    (r) =>
      queueMicrotask(() => {
        if (rt.phase !== "busy") return;
        rt.recovery = null;
        flow.finish(rt, task.id, r.exitCode, out);
        rt.phase = "ready"; // the command has ended: the shell is at (or about to show) its prompt
        flow.pump(rt);
      }),
  );
  const remaining = Math.max(1000, task.timeoutMs - (Date.now() - (task.startedAt ?? Date.now())));
  rt.timer = setTimeout(() => flow.timeOutTask(rt, task.id), remaining);
}

/** Why a task dispatched before the controller stopped is queued again without a lost attempt. */
export const NEVER_SUBMITTED = "the controller stopped before the task reached the agent";

/**
 * A task dispatched to a worker whose pane is still there but never got it (the controller
 * died between storing the dispatch and tmux typing it; the pane's `@orch_sent` says so):
 * back in the queue as if never dispatched, its attempt not counted, as nothing of it ran.
 */
export function requeueNeverSubmitted(store: Store, rt: WorkerRuntime, task: Task): Task | null {
  return store.transaction(() => {
    const cur = store.tasks.get(task.id);
    if (cur?.status !== "dispatched") return null;
    store.events.append(
      workerEvent("task.requeued", rt.name, { error: NEVER_SUBMITTED }, task.id, Date.now()),
    );
    return store.tasks.update(task.id, {
      status: "queued",
      attempts: Math.max(0, cur.attempts - 1),
      ...(cur.agentType !== null ? { worker: null } : {}),
    });
  });
}
