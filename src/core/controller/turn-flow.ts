import type { ApprovalPolicy } from "../domain/config.ts";
import { errorMessage } from "../domain/result.ts";
import { assertTaskTransition } from "../domain/task-status.ts";
import type { Task, WorkerState } from "../domain/types.ts";
import type { Delivery, HookEvent, ScreenState } from "../plugin/contract.ts";
import type { Store } from "../store/index.ts";
import { workerEvent } from "../store/index.ts";
import { TmuxUnavailableError } from "../tmux/errors.ts";
import type { PaneOps } from "../tmux/pane-ops.ts";
import type { Logger } from "./logger.ts";
import { sentTag } from "./pane-delivery.ts";
import { PermissionPrompts } from "./permission-prompts.ts";
import { callFrame, callHookRule, callRateLimitWait, callResult } from "./plugin-boundary.ts";
import type { TaskFlow } from "./task-flow.ts";
import type { TaskWaiters } from "./task-waiters.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

export interface TurnFlowDeps {
  store: Store;
  logger: Logger;
  waiters: TaskWaiters;
  ops: (rt: WorkerRuntime) => PaneOps;
  flow: TaskFlow;
  /** The answer to a permission prompt when the plugin's own rule (if any) says "ask". */
  approvalPolicy: ApprovalPolicy;
  /** Reads the worker's screen now (for a hook that ends a turn). */
  readScreen(rt: WorkerRuntime): Promise<void>;
  /** First back-off of a rate-limited agent that does not say how long to wait. */
  rateLimitBackoffMs: number;
  /** How long a `hook` agent's hook may lag behind its idle screen (default {@link HOOK_GRACE_MS}). */
  hookGraceMs?: number;
}

/** How long a `hook` agent's Stop hook may lag behind its idle screen before the screen decides. */
const HOOK_GRACE_MS = 2000;
/** Back-off when a rate-limited agent does not say when to come back: doubling, at most 15 min. */
const rateLimitBackoffMs = (first: number, n: number) => Math.min(15 * 60_000, first * 2 ** n);

/**
 * An interactive task's way through an agent whose TUI stays up: the prompt is pasted and
 * submitted, acceptance is proven by a hook or a busy screen (Enter is sent once more if
 * neither comes), the turn ends on the agent's hook or when the screen goes from busy to
 * idle. Permission prompts and rate limits show on the screen and are handled here.
 */
export class TurnFlow {
  private readonly prompts: PermissionPrompts;

  constructor(private readonly d: TurnFlowDeps) {
    this.prompts = new PermissionPrompts({
      store: d.store,
      logger: d.logger,
      ops: d.ops,
      approvalPolicy: d.approvalPolicy,
      setState: (rt, state) => this.setState(rt, state),
      pluginFailed: (rt, error) => this.pluginFailed(rt, error),
    });
  }

  /**
   * Starts a dispatched task: a fresh turn, then the prompt. `resumed`: the task was already
   * with the agent before the controller restarted; only its end is awaited.
   */
  begin(rt: WorkerRuntime, task: Task, opts: { resumed?: boolean } = {}): void {
    const resumed = opts.resumed === true;
    rt.turn = {
      taskId: task.id,
      framed: false,
      accepted: resumed,
      sawBusy: resumed,
      retried: false,
      submitted: resumed,
      acceptTimer: null,
      idleTimer: null,
      rateLimitRetries: 0,
    };
    if (resumed) {
      const left = Math.max(1000, task.timeoutMs - (Date.now() - (task.startedAt ?? Date.now())));
      rt.timer = setTimeout(() => this.d.flow.timeOutTask(rt, task.id), left);
      return;
    }
    // typed only once the dispatch is stored: one rolled back must leave the pane untouched
    this.d.store.afterCommit(() => {
      if (rt.turn?.taskId === task.id) this.send(rt, task, task.attempts + 1);
    });
  }

  /** Types the prompt of `attempt` of the task (tagged with it, see pane-delivery.ts). */
  private send(rt: WorkerRuntime, task: Pick<Task, "id" | "text">, attempt: number): void {
    const framed = callFrame(
      rt.plugin,
      { id: task.id, text: task.text, fresh: !rt.primed },
      this.d.flow.markerSet.forTask(rt.plugin, task.id),
    );
    if (!framed.ok) {
      this.d.logger.log("error", framed.error, { worker: rt.name, task: task.id });
      this.failTurn(rt, framed.error);
      return;
    }
    const delivery = framed.value;
    const turn = rt.turn;
    if (turn) turn.framed = true;
    this.d.flow
      .deliver(rt, rt.paneId!, delivery, sentTag(task.id, attempt))
      .then(() => {
        if (rt.turn !== turn || !turn) return;
        turn.submitted = true;
        this.armAccept(rt, delivery);
      })
      .catch((e) => {
        // a lost link to tmux: the adoption after it decides (@orch_sent)
        if (e instanceof TmuxUnavailableError) return;
        if (rt.turn === turn) this.failTurn(rt, `delivery failed: ${errorMessage(e)}`);
      });
  }

  /** Waits for a sign that the prompt was taken; sends the submit keys once more, then gives up. */
  private armAccept(rt: WorkerRuntime, delivery: Delivery): void {
    const turn = rt.turn;
    if (!turn || turn.accepted) return;
    const ms = rt.plugin.acceptMs ?? 3000;
    turn.acceptTimer = setTimeout(() => {
      if (rt.turn !== turn || turn.accepted) return;
      if (!turn.retried) {
        turn.retried = true;
        this.d.logger.log("warn", "prompt not taken yet; sending the submit keys again", {
          worker: rt.name,
          task: turn.taskId,
        });
        this.d
          .ops(rt)
          .sendKeys(rt.paneId!, delivery.submit.length ? delivery.submit : ["Enter"])
          .then(() => this.armAccept(rt, delivery))
          .catch((e) => this.failTurn(rt, `delivery failed: ${errorMessage(e)}`));
        return;
      }
      this.failTurn(
        rt,
        `the agent did not take the prompt: no busy screen or hook within ${ms} ms of the submit keys, sent twice`,
      );
    }, ms);
  }

  /** The screen was read and shows `state` (null: none of the plugin's patterns). */
  onScreen(rt: WorkerRuntime, state: ScreenState | null, screen: string): void {
    rt.lastScreen = screen;
    rt.screenState = state;
    if (state !== "waiting_input") rt.promptHandled = false;
    if (state === "idle" && !rt.ready && (rt.phase === "starting" || rt.phase === "settling")) {
      this.becomeReady(rt);
      return;
    }
    const turn = rt.turn;
    if (!turn) return;
    switch (state) {
      case "waiting_input":
        this.accept(rt);
        this.prompts.ask(rt, screen);
        return;
      case "rate_limited":
        this.rateLimited(rt, screen);
        return;
      case "busy":
        if (!turn.submitted) return;
        this.accept(rt);
        turn.sawBusy = true;
        if (turn.idleTimer) clearTimeout(turn.idleTimer);
        turn.idleTimer = null;
        this.setState(rt, "running");
        return;
      case "error":
        if (turn.accepted)
          this.failTurn(rt, `the agent showed an error: ${matchedLine(screen, rt.screenRules?.error)}`);
        return;
      case "idle":
        if (turn.accepted && turn.sawBusy) this.idleAfterBusy(rt);
        return;
    }
  }

  /** An event from the agent's hook. */
  onHook(rt: WorkerRuntime, e: HookEvent): void {
    if (rt.plugin.detect.kind !== "hook") return;
    const rule = callHookRule(rt.plugin, e);
    if (!rule.ok) {
      this.d.logger.log("error", rule.error, { worker: rt.name, event: e.event });
      this.pluginFailed(rt, rule.error);
      return;
    }
    const signal = rule.value;
    if (signal === "ready") {
      this.readyByHook(rt, e);
      return;
    }
    const turn = rt.turn;
    if (!turn || signal === null) return;
    if (signal === "accepted") this.accept(rt);
    else if (signal === "waiting_input") {
      this.accept(rt);
      void this.d.readScreen(rt); // the screen shows the question; onScreen asks the policy
    } else if (signal === "done") {
      rt.lastHook = e;
      // the screen tells a finished turn from one that ended on a rate limit or an error
      void this.d.readScreen(rt).then(() => {
        if (rt.turn !== turn) return;
        if (rt.screenState === "rate_limited" || rt.screenState === "waiting_input") return;
        this.finishTurn(rt, e);
      });
    }
  }

  /**
   * The agent says it takes input (a `ready` hook): a worker that is starting is ready now,
   * however its screen looks (the screen's idle rule is the fallback). At any other time the
   * signal changes nothing: e.g. Claude Code also runs SessionStart after /clear.
   */
  private readyByHook(rt: WorkerRuntime, e: HookEvent): void {
    if (rt.phase !== "starting") return;
    this.d.logger.log("info", "the agent says it is ready", { worker: rt.name, hook: e.event });
    this.becomeReady(rt);
  }

  /** The start (or settling after a task) is over: the worker takes its next task. */
  private becomeReady(rt: WorkerRuntime): void {
    rt.phase = "ready";
    rt.settleWaiters(true);
    this.d.flow.pump(rt);
  }

  /** A human (or `orch approve|deny`) answers the permission prompt on screen. */
  answer(rt: WorkerRuntime, decision: "approve" | "deny"): boolean {
    return this.prompts.answer(rt, decision);
  }

  private accept(rt: WorkerRuntime): void {
    const turn = rt.turn;
    if (!turn || turn.accepted) return;
    turn.accepted = true;
    if (turn.acceptTimer) clearTimeout(turn.acceptTimer);
    turn.acceptTimer = null;
    const startedAt = Date.now();
    rt.startedAt = startedAt;
    const cur = this.d.store.tasks.get(turn.taskId);
    if (cur?.status === "dispatched") {
      assertTaskTransition("dispatched", "running");
      this.d.store.tasks.update(turn.taskId, { status: "running", startedAt });
    }
  }

  private idleAfterBusy(rt: WorkerRuntime): void {
    const turn = rt.turn!;
    if (rt.plugin.detect.kind === "screen") {
      this.finishTurn(rt, null);
      return;
    }
    if (turn.idleTimer) return;
    turn.idleTimer = setTimeout(() => {
      if (rt.turn !== turn) return;
      this.d.logger.log("warn", "no hook after the agent went idle; finished from the screen", {
        worker: rt.name,
        task: turn.taskId,
      });
      this.finishTurn(rt, null);
    }, this.d.hookGraceMs ?? HOOK_GRACE_MS);
  }

  /** The agent was rate limited: pause the worker, then send the same prompt again. */
  private rateLimited(rt: WorkerRuntime, screen: string): void {
    const turn = rt.turn!;
    if (rt.resumeTimer) return;
    const asked = callRateLimitWait(rt.plugin, screen);
    if (!asked.ok) {
      this.d.logger.log("error", asked.error, { worker: rt.name });
      this.pluginFailed(rt, asked.error);
      return;
    }
    const waitMs = asked.value;
    const wait = Math.max(
      250,
      waitMs ?? rateLimitBackoffMs(this.d.rateLimitBackoffMs, turn.rateLimitRetries),
    );
    if (turn.acceptTimer) clearTimeout(turn.acceptTimer);
    if (turn.idleTimer) clearTimeout(turn.idleTimer);
    turn.acceptTimer = turn.idleTimer = null;
    // the pause does not count against the task's timeout: it starts again on resume
    if (rt.timer) clearTimeout(rt.timer);
    rt.timer = null;
    this.setState(rt, "rate_limited");
    this.d.store.events.append(
      workerEvent("worker.rate_limited", rt.name, { resumeInMs: wait }, turn.taskId),
    );
    this.d.logger.log("warn", "rate limited; resuming later", { worker: rt.name, inMs: wait });
    rt.resumeTimer = setTimeout(() => {
      rt.resumeTimer = null;
      if (rt.turn !== turn) return;
      const task = this.d.store.tasks.get(turn.taskId);
      if (!task) return;
      turn.rateLimitRetries++;
      turn.accepted = turn.sawBusy = turn.submitted = turn.retried = false;
      this.d.store.tasks.update(task.id, { attempts: task.attempts + 1 });
      this.setState(rt, "running");
      rt.timer = setTimeout(() => this.d.flow.timeOutTask(rt, task.id), task.timeoutMs);
      this.d.logger.log("info", "resuming after rate limit", { worker: rt.name, task: task.id });
      this.send(rt, task, task.attempts + 1);
    }, wait);
  }

  /** The turn ended: record the plugin's result and take the next task. */
  private finishTurn(rt: WorkerRuntime, hook: HookEvent | null): void {
    const turn = rt.turn;
    if (!turn) return;
    if (turn.framed) rt.primed = true;
    const extracted = callResult(rt.plugin, {
      raw: rt.lastScreen,
      exitCode: null,
      ...(hook ? { hook } : {}),
    });
    if (!extracted.ok) this.d.logger.log("error", extracted.error, { worker: rt.name, task: turn.taskId });
    // a plugin that failed to read the result fails the task; the screen is kept as its output
    const r = extracted.ok
      ? extracted.value
      : { text: rt.lastScreen, isError: true, meta: null, error: `${extracted.error}; the screen is kept` };
    const now = Date.now();
    rt.clearTimer();
    const kept = this.d.flow.keepText(turn.taskId, rt.name, r.text);
    const t = this.d.store.transaction(() => {
      const status = r.isError ? "failed" : "succeeded";
      assertTaskTransition("running", status);
      const done = this.d.store.tasks.update(turn.taskId, {
        status,
        output: kept.text,
        outputBytes: kept.fullBytes,
        startedAt: rt.startedAt ?? rt.dispatchedAt ?? now,
        finishedAt: now,
        error: "error" in r ? r.error : r.isError ? "the agent reported an error" : null,
        result: r.meta,
      });
      this.d.store.workers.update(rt.name, { state: "idle", currentTask: null });
      return done && this.d.flow.retryOrFinal(done);
    });
    rt.phase = "ready";
    if (t) this.d.flow.settled(t);
    this.d.flow.pump(rt);
  }

  /**
   * A plugin member failed while its task was in flight: the task fails naming it, and the
   * agent is interrupted (it may still be working on the prompt) before it takes the next.
   */
  pluginFailed(rt: WorkerRuntime, error: string): void {
    const id = rt.turn?.taskId;
    if (!id) return;
    this.d.flow.fail(rt, id, "failed", error);
    this.d.flow.interrupt(rt);
  }

  private failTurn(rt: WorkerRuntime, error: string): void {
    const id = rt.turn?.taskId;
    if (!id) return;
    this.d.flow.fail(rt, id, "failed", error);
    this.d.logger.log("warn", "task failed", { worker: rt.name, task: id, error });
    rt.phase = "ready";
    this.d.flow.pump(rt);
  }

  private setState(rt: WorkerRuntime, state: WorkerState): void {
    const cur = this.d.store.workers.get(rt.name);
    if (!cur || cur.state === state || cur.state === "dead") return;
    this.d.store.workers.update(rt.name, { state });
    if (state === "waiting_input") {
      this.d.store.events.append(workerEvent("worker.waiting_input", rt.name, {}, rt.currentTaskId));
    }
  }
}

/** The screen line a pattern matched, for error messages. */
function matchedLine(screen: string, re: RegExp | undefined): string {
  if (!re) return "";
  const line = screen.split("\n").find((l) => {
    re.lastIndex = 0;
    return re.test(l);
  });
  return (line ?? screen.trim().split("\n").at(-1) ?? "").trim().slice(0, 300);
}
