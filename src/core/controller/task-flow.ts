import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage } from "../domain/result.ts";
import { type RetryPolicy, retryDecision } from "../domain/retry.ts";
import { assertTaskTransition, isFinal } from "../domain/task-status.ts";
import { cleanOutput } from "../domain/text.ts";
import type { Task } from "../domain/types.ts";
import type { Delivery, MarkerSpec } from "../plugin/contract.ts";
import type { NewTask, Store } from "../store/index.ts";
import { workerEvent } from "../store/index.ts";
import type { PaneOps } from "../tmux/pane-ops.ts";
import { fileSize } from "./log-feed.ts";
import type { Logger } from "./logger.ts";
import { MarkerScanner } from "./marker-scanner.ts";
import { newTask } from "./new-task.ts";
import { callFrame, callResult } from "./plugin-boundary.ts";
import type { TaskWaiters } from "./task-waiters.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

export interface TaskFlowDeps {
  /** The worker's pipe-pane log (a task whose pane tmux paused is read from there); optional. */
  logFile?(rt: WorkerRuntime): string;
  /** Whether the worker's pane is dead by tmux's own account (then it is marked dead); optional. */
  deadPane?(rt: WorkerRuntime): Promise<boolean>;
  store: Store;
  logger: Logger;
  markers: MarkerSpec;
  waiters: TaskWaiters;
  /** The current tmux operations (they change when the controller reconnects). */
  ops: () => PaneOps;
  /** How failed and timed-out attempts are retried (for tasks that allow retries). */
  retry: RetryPolicy;
  /** A task reached its final status (after any retries): workflow runs follow this. */
  onFinal?(t: Task): void;
  /** A task was handed to a worker (its run's live view shows it working). */
  onDispatched?(t: Task): void;
  /** A retry was queued that may not start before `at`: the scheduler looks again then. */
  wakeAt?(at: number): void;
}

/**
 * A task's way through one worker: queued in the store, delivered when the worker is ready,
 * followed through its markers in the pane's output, recorded once with its verdict.
 */
export class TaskFlow {
  /** The interactive half (hook and screen detection), set by the controller. */
  turns: { begin(rt: WorkerRuntime, task: Task): void } | null = null;

  /** Workers whose task ended and whose idle state is not written yet (see {@link flushIdle}). */
  private readonly idleLater = new Map<WorkerRuntime, string>();

  constructor(private readonly d: TaskFlowDeps) {}

  /**
   * Writes the idle states that finishes left for later. A worker that took its next task
   * meanwhile needs none: the read that brought a marker and the prompt after it writes the
   * worker once. The controller calls this before its per-read commit; a microtask catches
   * the rest.
   */
  flushIdle(): void {
    if (this.idleLater.size === 0) return;
    const ended = [...this.idleLater];
    this.idleLater.clear();
    this.d.store.transaction(() => {
      for (const [rt, taskId] of ended) this.d.store.workers.endTask(rt.name, taskId);
    });
  }

  get markers(): MarkerSpec {
    return this.d.markers;
  }

  /** Queues a task and, when the worker is free, dispatches it in the same commit. */
  enqueue(
    worker: string,
    text: string,
    timeoutSec: number,
    rt: WorkerRuntime | undefined,
    extra: Partial<NewTask> = {},
  ): Task {
    return this.d.store.transaction(() => {
      const task = this.d.store.tasks.insert(
        newTask({ worker, text, timeoutMs: Math.round(timeoutSec * 1000), ...extra }),
      );
      if (rt) this.pump(rt);
      return rt?.currentTaskId === task.id ? (this.d.store.tasks.get(task.id) ?? task) : task;
    });
  }

  /** {@link flushIdle} outside any caller (a microtask): a failed write is logged, not thrown. */
  private flushIdleLogged(): void {
    try {
      this.flushIdle();
    } catch (e) {
      this.d.logger.log("error", `store write failed: ${errorMessage(e)}`);
    }
  }

  /** Delivers the next queued task if the worker is ready and free. */
  pump(rt: WorkerRuntime): void {
    if (rt.phase !== "ready" || rt.currentTaskId || !rt.paneId) return;
    const task = this.d.store.tasks.nextFor(
      { worker: rt.name, type: rt.plugin.name, project: rt.project },
      Date.now(),
    );
    if (!task) return;
    this.d.store.transaction(() => {
      assertTaskTransition(task.status, "dispatched");
      this.d.store.tasks.set(task.id, {
        status: "dispatched",
        attempts: task.attempts + 1,
        ...(task.worker === null ? { worker: rt.name } : {}),
      });
      this.idleLater.delete(rt);
      this.d.store.workers.beginTask(rt.name, task.id);
    });
    rt.phase = "busy";
    if (task.runId) this.d.onDispatched?.(task);
    rt.timer = setTimeout(() => this.timeOutTask(rt, task.id), task.timeoutMs);
    rt.dispatchedAt = Date.now();
    rt.startedAt = null;
    rt.lastHook = null;
    if (rt.plugin.detect.kind !== "marker") {
      this.turns?.begin(rt, task);
      return;
    }
    rt.scanner = new MarkerScanner(task.id, this.d.markers);
    rt.logStart = this.d.logFile ? fileSize(this.d.logFile(rt)) : 0;
    const framed = callFrame(rt.plugin, { id: task.id, text: task.text, fresh: !rt.primed }, this.d.markers);
    if (!framed.ok) {
      this.d.logger.log("error", framed.error, { worker: rt.name, task: task.id });
      this.fail(rt, task.id, "failed", framed.error);
      return;
    }
    this.deliver(rt.paneId, framed.value).catch((e) => {
      if (rt.scanner?.taskId === task.id)
        this.fail(rt, task.id, "failed", `delivery failed: ${errorMessage(e)}`);
    });
  }

  /** Pastes the text and submits it; without a pause both go to tmux in one write, in order. */
  async deliver(paneId: string, d: Delivery): Promise<void> {
    const ops = this.d.ops();
    const pasted = ops.paste(paneId, d.text);
    if (d.submitDelayMs) {
      await pasted;
      await sleep(d.submitDelayMs);
    }
    const submitted = d.submit.length ? ops.sendKeys(paneId, d.submit) : Promise.resolve();
    await Promise.all([pasted, submitted]);
  }

  /**
   * The marker task in flight is to be scanned anew from its start: its output is read again
   * from elsewhere (the pane log, after tmux paused the pane's live output; pane-resync.ts).
   * What was gathered of it so far is dropped, so nothing is counted twice.
   */
  rescan(rt: WorkerRuntime): void {
    if (rt.scanner) rt.scanner = new MarkerScanner(rt.scanner.taskId, this.d.markers);
  }

  /** Text the worker's pane printed: markers of its task, then the prompt that makes it ready. */
  onText(rt: WorkerRuntime, text: string): void {
    if (rt.recovery) {
      // the log is the source for this task; live output only says it has grown
      queueMicrotask(() => rt.recovery?.scan());
      return;
    }
    let rest = text;
    if (rt.scanner) {
      const r = rt.scanner.push(text);
      if (r.kind === "pending") {
        if (r.startedNow) this.markRunning(rt, rt.scanner.taskId);
        return;
      }
      // started and ended in this text: the final write carries startedAt
      if (r.startedNow) rt.startedAt ??= Date.now();
      rt.primed = true;
      this.finish(rt, rt.scanner.taskId, r.exitCode, r.raw);
      rest = r.rest;
    }
    if ((rt.phase === "starting" || rt.phase === "settling") && rt.feedReady(rest)) this.promptSeen(rt);
  }

  /** The worker is at its prompt: it is ready, and its next task goes out. */
  promptSeen(rt: WorkerRuntime): void {
    rt.phase = "ready";
    rt.settleWaiters(true);
    this.pump(rt);
  }

  /**
   * The start marker appeared and the end is not in the same text. Written at once: output
   * arrives inside the controller's per-read transaction, so it shares that read's commit.
   */
  private markRunning(rt: WorkerRuntime, id: string): void {
    assertTaskTransition("dispatched", "running");
    rt.startedAt ??= Date.now(); // (seen again when the output is read anew from the log)
    this.d.store.tasks.set(id, { status: "running", startedAt: rt.startedAt });
  }

  /** Records a task's result from its end marker (seen live or in the log), exactly once. */
  finish(rt: WorkerRuntime, taskId: string, exitCode: number, raw: string): void {
    rt.scanner = null;
    rt.clearTimer();
    rt.phase = "settling";
    rt.resetReady();
    const now = Date.now();
    const status = exitCode === 0 ? "succeeded" : "failed";
    // (a plugin's result() may still call a clean exit a failure; both are legal from running)
    // The scanner (or the log recovery) that saw the end marker is gone now, so this runs
    // once per task; the store needs no read to know the task is still unfinished.
    assertTaskTransition("running", status);
    const extracted = rt.plugin.result ? callResult(rt.plugin, { raw: cleanOutput(raw), exitCode }) : null;
    // a plugin that failed to read the result fails the task; its raw output is kept
    if (extracted && !extracted.ok)
      this.d.logger.log("error", extracted.error, { worker: rt.name, task: taskId });
    const result = extracted?.ok ? extracted.value : null;
    const failed = exitCode !== 0 || result?.isError === true || extracted?.ok === false;
    const error =
      exitCode !== 0
        ? `exited with status ${exitCode}`
        : extracted && !extracted.ok
          ? `${extracted.error}; the raw output is kept`
          : failed
            ? "the agent reported an error"
            : null;
    const t = this.d.store.transaction(() => {
      const done = this.d.store.tasks.update(
        taskId,
        {
          status: failed ? "failed" : "succeeded",
          exitCode,
          output: result ? result.text : cleanOutput(raw),
          startedAt: rt.startedAt ?? rt.dispatchedAt ?? now,
          finishedAt: now,
          error,
          result: result?.meta ?? null,
        },
        rt.name,
      );
      if (failed)
        this.d.store.events.append(workerEvent("task.failed", rt.name, { exitCode, error }, taskId, now));
      return done && this.retryOrFinal(done);
    });
    // the worker's idle write waits for the read's commit (only once the finish is stored)
    if (this.idleLater.size === 0) queueMicrotask(() => this.flushIdleLogged());
    this.idleLater.set(rt, taskId);
    if (!t) return;
    this.settled(t);
    // a failure is news for the live view; thousands of successes a second are not
    if (t.status !== "succeeded")
      this.d.logger.log("info", `task ${t.status}`, { worker: rt.name, task: t.id, exit: exitCode });
  }

  /** Ends a task without an end marker: it failed (agent died, delivery failed) or timed out. */
  fail(rt: WorkerRuntime, taskId: string, status: "failed" | "timed_out" | "cancelled", error: string): void {
    const partial =
      rt.scanner?.taskId === taskId ? rt.scanner.partial : rt.turn?.taskId === taskId ? rt.lastScreen : "";
    if (rt.scanner?.taskId === taskId) rt.scanner = null;
    rt.clearTimer();
    const now = Date.now();
    const t = this.d.store.transaction(() => {
      const cur = this.d.store.tasks.get(taskId);
      if (!cur || isFinal(cur.status)) return null;
      assertTaskTransition(
        cur.status === "dispatched" && status === "timed_out" ? "running" : cur.status,
        status,
      );
      const done = this.d.store.tasks.update(taskId, {
        status,
        output: cleanOutput(partial),
        finishedAt: now,
        startedAt: cur.startedAt ?? now,
        error,
      });
      this.d.store.workers.update(rt.name, {
        currentTask: null,
        ...(rt.phase === "dead" ? {} : { state: "idle" }),
      });
      this.d.store.events.append(workerEvent(`task.${status}`, rt.name, { error }, taskId, now));
      return done && this.retryOrFinal(done);
    });
    if (t) this.settled(t);
  }

  /**
   * Inside the commit that ended an attempt: a failed or timed-out task with retries left goes
   * back to the queue (its attempt kept in the store) after the policy's backoff. Returns the task.
   */
  retryOrFinal(t: Task): Task {
    if ((t.status !== "failed" && t.status !== "timed_out") || t.attempts > t.maxRetries) return t;
    const decision = retryDecision({ ...this.d.retry, maxRetries: t.maxRetries }, t.attempts, t.error ?? "");
    if (!decision.retry) return t;
    this.keepAttempt(t);
    assertTaskTransition(t.status, "queued");
    const requeued = this.d.store.tasks.update(t.id, {
      status: "queued",
      // a pool task may run on any worker of its type; a sent one stays with its worker
      ...(t.agentType !== null ? { worker: null } : {}),
      notBefore: Date.now() + decision.delayMs,
      error: `attempt ${t.attempts} of ${t.maxRetries + 1} ${t.status === "timed_out" ? "timed out" : "failed"}: ${t.error ?? ""}; retrying in ${decision.delayMs} ms`,
    });
    return requeued ?? t;
  }

  /** Records an ended attempt of a task that goes back to the queue. */
  keepAttempt(t: Task): void {
    this.d.store.attempts.add({
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

  /** After the commit: answer waiters of a final task, or arrange to look again for a retry. */
  settled(t: Task): void {
    if (t.status === "queued") {
      this.d.logger.log("info", "task retry queued", { task: t.id, attempt: t.attempts, error: t.error });
      this.d.wakeAt?.(t.notBefore);
      return;
    }
    this.d.waiters.notify(t);
    this.d.onFinal?.(t);
  }

  /** The task ran past its timeout: record it and interrupt the agent. */
  timeOutTask(rt: WorkerRuntime, taskId: string, paneChecked = false): void {
    const t = this.d.store.tasks.get(taskId);
    if (!t || isFinal(t.status)) return;
    // tmux 3.3a can miss a pane's death (no pane-died hook): ask tmux before calling it a timeout
    if (this.d.deadPane && !paneChecked) {
      void this.d.deadPane(rt).then((dead) => {
        if (!dead) this.timeOutTask(rt, taskId, true);
      });
      return;
    }
    const keys = rt.plugin.interruptKeys ?? ["C-c"];
    this.fail(
      rt,
      taskId,
      "timed_out",
      `timed out after ${t.timeoutMs / 1000} s; interrupted with ${keys.join(" ")}`,
    );
    this.interrupt(rt);
    this.d.logger.log("warn", "task timed out", { worker: rt.name, task: taskId });
  }

  /** Stops what the agent is doing (its interrupt keys) and waits for it to be ready again. */
  interrupt(rt: WorkerRuntime): void {
    if (rt.phase === "dead") return;
    rt.primed = false;
    rt.phase = "settling";
    rt.resetReady();
    if (rt.paneId)
      void this.d
        .ops()
        .sendKeys(rt.paneId, rt.plugin.interruptKeys ?? ["C-c"])
        .catch(() => undefined);
  }

  /** Cancels a worker's queued and unfinished tasks (it is being removed). */
  cancelUnfinished(worker: string, why: string): void {
    for (const t of this.d.store.tasks.list({ worker, status: ["queued", "dispatched", "running"] })) {
      const done = this.d.store.tasks.update(t.id, {
        status: "cancelled",
        error: why,
        finishedAt: Date.now(),
      });
      if (done) this.settled(done);
    }
  }
}
