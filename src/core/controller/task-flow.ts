import { errorMessage } from "../domain/result.ts";
import type { RetryPolicy } from "../domain/retry.ts";
import { assertTaskTransition, isFinal } from "../domain/task-status.ts";
import { cleanOutput } from "../domain/text.ts";
import type { Task } from "../domain/types.ts";
import type { Delivery, MarkerSpec } from "../plugin/contract.ts";
import { type NewTask, type Store, workerEvent } from "../store/index.ts";
import { TmuxUnavailableError } from "../tmux/errors.ts";
import type { PaneOps, PaneTag } from "../tmux/pane-ops.ts";
import { fileSize } from "./log-feed.ts";
import type { Logger } from "./logger.ts";
import { MarkerScanner } from "./marker-scanner.ts";
import { newTask } from "./new-task.ts";
import { deliverToPane, sentTag } from "./pane-delivery.ts";
import { callFrame } from "./plugin-boundary.ts";
import { MarkerSet } from "./task-markers.ts";
import {
  type KeptOutput,
  keepText,
  newTaskOutput,
  type OutputKeeping,
  type TaskOutput,
} from "./task-output.ts";
import { keepAttempt, retryOrFinal } from "./task-retry.ts";
import { interruptAgent, timeOutTask } from "./task-timeout.ts";
import { markerVerdict } from "./task-verdict.ts";
import type { TaskWaiters } from "./task-waiters.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

export interface TaskFlowDeps {
  /** The worker's pipe-pane log (a task whose pane tmux paused is read from there); optional. */
  logFile?(rt: WorkerRuntime): string;
  /** Whether the worker's pane is dead by tmux's own account (then it is marked dead); optional. */
  deadPane?(rt: WorkerRuntime): Promise<boolean>;
  /** Whether the worker's host is away (a timeout then waits for it: task-timeout.ts); optional. */
  away?(rt: WorkerRuntime): boolean;
  store: Store;
  logger: Logger;
  markers: MarkerSpec;
  /**
   * Plugins with `detect.nonce` get per-task markers, keyed by the store's marker key (see
   * task-markers.ts); false or absent: the markers as given, for every plugin.
   */
  nonces?: boolean;
  waiters: TaskWaiters;
  /** The pane operations of the worker's host now (they change when it reconnects). */
  ops: (rt: WorkerRuntime) => PaneOps;
  /** How failed and timed-out attempts are retried (for tasks that allow retries). */
  retry: RetryPolicy;
  /** A task reached its final status (after any retries): workflow runs follow this. */
  onFinal?(t: Task): void;
  /** A task was handed to a worker (its run's live view shows it working). */
  onDispatched?(t: Task): void;
  /** A retry was queued that may not start before `at`: the scheduler looks again then. */
  wakeAt?(at: number): void;
  /** How task output is kept (capped, the whole of it in a file); default: all of it, in the store. */
  outputs?: OutputKeeping;
}

/** A task's end, seen in its pane, that the store could not take yet. */
export interface UnsavedFinish {
  exitCode: number;
  out: TaskOutput;
  startedAt: number | null;
}

/**
 * A task's way through one worker: queued in the store, delivered when the worker is ready,
 * followed through its markers in the pane's output, recorded once with its verdict.
 */
export class TaskFlow {
  /** The interactive half (hook and screen detection), set by the controller. */
  turns: { begin(rt: WorkerRuntime, task: Task): void } | null = null;

  /** End markers seen whose finish could not be stored (the disk was full): written on resume. */
  private readonly unsaved = new Map<string, UnsavedFinish>();

  /** Workers whose task ended and whose idle state is not written yet (see {@link flushIdle}). */
  private readonly idleLater = new Map<WorkerRuntime, string>();

  /** Every task's markers (with its nonce where the plugin takes one). */
  readonly markerSet: MarkerSet;

  constructor(private readonly d: TaskFlowDeps) {
    this.markerSet = new MarkerSet(d.markers, d.store, d.nonces === true);
  }

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

  /** The end of `taskId` seen live whose finish was rolled back, if any (taken: asked once). */
  takeUnsaved(taskId: string): UnsavedFinish | undefined {
    const u = this.unsaved.get(taskId);
    this.unsaved.delete(taskId);
    return u;
  }

  /** Delivers the next queued task if the worker is ready and free. */
  pump(rt: WorkerRuntime): void {
    if (rt.phase !== "ready" || rt.currentTaskId || !rt.paneId) return;
    const { name: worker, project, host, hostLabels: labels } = rt;
    const task = this.d.store.tasks.nextFor(
      { worker, type: rt.plugin.name, project, host, labels },
      Date.now(),
    );
    if (!task) return;
    this.d.store.transaction(() => {
      assertTaskTransition(task.status, "dispatched");
      this.d.store.tasks.set(task.id, {
        status: "dispatched",
        attempts: task.attempts + 1,
        ...(task.worker === null ? { worker: rt.name } : {}),
        host: rt.host,
      });
      this.idleLater.delete(rt);
      this.d.store.workers.beginTask(rt.name, task.id);
    });
    rt.phase = "busy";
    // nothing reaches the pane or the listeners before the dispatch is stored: a dispatch
    // rolled back (a full disk) leaves the task queued and untyped, so it never runs twice
    if (task.runId) this.d.store.afterCommit(() => this.d.onDispatched?.(task));
    rt.timer = setTimeout(() => this.timeOutTask(rt, task.id), task.timeoutMs);
    rt.dispatchedAt = Date.now();
    rt.startedAt = rt.lastHook = null;
    if (rt.plugin.detect.kind !== "marker") {
      this.turns?.begin(rt, task); // types the prompt once the dispatch is stored
      return;
    }
    const markers = this.markerSet.forTask(rt.plugin, task.id, task.attempts + 1);
    rt.scanner = new MarkerScanner(task.id, markers, this.output(task.id, rt.name));
    rt.logStart = this.d.logFile ? fileSize(this.d.logFile(rt)) : 0;
    const framed = callFrame(rt.plugin, { id: task.id, text: task.text, fresh: !rt.primed }, markers);
    if (!framed.ok) {
      this.d.logger.log("error", framed.error, { worker: rt.name, task: task.id });
      this.fail(rt, task.id, "failed", framed.error);
      return;
    }
    const paneId = rt.paneId;
    const tag = sentTag(task.id, task.attempts + 1);
    this.d.store.afterCommit(() =>
      this.deliver(rt, paneId, framed.value, tag).catch((e) => {
        // the link to tmux went away: whether the task got typed is the pane's to say
        // (@orch_sent), read when the link is back and the worker adopted again
        if (e instanceof TmuxUnavailableError) return;
        if (rt.scanner?.taskId === task.id)
          this.fail(rt, task.id, "failed", `delivery failed: ${errorMessage(e)}`);
      }),
    );
  }

  /** A new gatherer of a task's output (for its scanner, or a recovery from the pane log). */
  output(taskId: string, worker: string): TaskOutput {
    return newTaskOutput(this.d.outputs, taskId, worker);
  }

  /** Types a delivery into the pane, tagged as the given attempt of a task (see deliverToPane). */
  deliver(rt: WorkerRuntime, paneId: string, d: Delivery, tag?: PaneTag): Promise<void> {
    return deliverToPane(this.d.ops(rt), paneId, d, tag);
  }

  /**
   * The marker task in flight is to be scanned anew from its start: its output is read again
   * from elsewhere (the pane log, after tmux paused the pane's live output; pane-resync.ts).
   * What was gathered of it so far is dropped, so nothing is counted twice.
   */
  rescan(rt: WorkerRuntime): void {
    if (!rt.scanner) return;
    const id = rt.scanner.taskId;
    // what was gathered is read again from the log: a fresh output, or it would count twice
    rt.scanner.sink?.discard();
    rt.scanner = new MarkerScanner(id, rt.scanner.markers, this.output(id, rt.name));
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
      const out = rt.scanner.sink ?? this.output(rt.scanner.taskId, rt.name);
      out.push(r.raw);
      this.finish(rt, rt.scanner.taskId, r.exitCode, out);
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
  finish(rt: WorkerRuntime, taskId: string, exitCode: number, out: TaskOutput): void {
    rt.scanner = null;
    rt.clearTimer();
    rt.phase = "settling";
    rt.resetReady();
    const now = Date.now();
    const status = exitCode === 0 ? "succeeded" : "failed";
    // (a plugin's result() may still call a clean exit a failure; both are legal from running)
    // the end's scanner (or log recovery) is gone: this runs once per task, with no store read
    assertTaskTransition("running", status);
    // the output as stored: capped (maxOutputBytes), the whole of it in the task's output file
    const v = markerVerdict(rt.plugin, out.finish(), exitCode, (text) =>
      this.keepText(taskId, rt.name, text),
    );
    // a plugin that failed to read the result fails the task; its raw output is kept
    if (v.pluginError) this.d.logger.log("error", v.pluginError, { worker: rt.name, task: taskId });
    const { failed, error, stored } = v;
    const startedAt = rt.startedAt;
    const t = this.d.store.transaction(() => {
      // a finish the disk could not take is kept, and written again when the store resumes
      this.d.store.onRollback(() => this.unsaved.set(taskId, { exitCode, out, startedAt }));
      this.d.store.afterCommit(() => this.unsaved.delete(taskId));
      const done = this.d.store.tasks.update(
        taskId,
        {
          status: failed ? "failed" : "succeeded",
          exitCode,
          output: stored.text,
          outputBytes: stored.fullBytes,
          startedAt: rt.startedAt ?? rt.dispatchedAt ?? now,
          finishedAt: now,
          error,
          result: v.meta,
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
    let kept: { text: string; fullBytes: number | null } = {
      text: cleanOutput(rt.turn?.taskId === taskId ? rt.lastScreen : ""),
      fullBytes: null,
    };
    if (rt.scanner?.taskId === taskId) {
      const out = rt.scanner.sink ?? this.output(taskId, rt.name);
      out.push(rt.scanner.partial);
      kept = out.finish();
      rt.scanner = null;
    }
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
        output: kept.text,
        outputBytes: kept.fullBytes,
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

  /** Inside the commit that ended an attempt: requeued if it has retries left (see task-retry.ts). */
  retryOrFinal(t: Task): Task {
    return retryOrFinal(this.d.store, this.d.retry, t);
  }

  /** `text` kept as a stored output is: capped, the whole of it in the task's file (see keepText). */
  keepText(taskId: string, worker: string, text: string): KeptOutput {
    return keepText(this.d.outputs, taskId, worker, text);
  }

  /** Records an ended attempt of a task that goes back to the queue. */
  keepAttempt(t: Task): void {
    keepAttempt(this.d.store, t);
  }

  /**
   * Once the commit that holds it is stored (at once outside a transaction): answer waiters of
   * a final task, or arrange to look again for a retry. Dropped if that commit fails: nobody is
   * told of a result the store does not hold.
   */
  settled(t: Task): void {
    this.d.store.afterCommit(() => this.announce(t));
  }

  private announce(t: Task): void {
    if (t.status === "queued") {
      this.d.logger.log("info", "task retry queued", { task: t.id, attempt: t.attempts, error: t.error });
      this.d.wakeAt?.(t.notBefore);
      return;
    }
    this.d.waiters.notify(t);
    this.d.onFinal?.(t);
  }

  /** The task ran past its timeout: recorded, and the agent interrupted (see task-timeout.ts). */
  timeOutTask(rt: WorkerRuntime, taskId: string): void {
    timeOutTask({ ...this.d, fail: (...a) => this.fail(...a) }, rt, taskId);
  }

  /** Stops what the agent is doing and waits for it to be ready again (see task-timeout.ts). */
  interrupt(rt: WorkerRuntime): void {
    interruptAgent(this.d.ops, rt);
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
