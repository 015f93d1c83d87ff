import { type ApprovalPolicy, DEFAULT_CONFIG } from "../domain/config.ts";
import { fail } from "../domain/result.ts";
import { isFinal } from "../domain/task-status.ts";
import type { Task, Worker } from "../domain/types.ts";
import type { AgentPlugin, HookEvent, MarkerSpec } from "../plugin/contract.ts";
import { openStore, type Store } from "../store/index.ts";
import { ScriptedPane } from "../tmux/scripted-pane.ts";
import type { Logger, LogLevel } from "./logger.ts";
import { PaneReader } from "./pane-reader.ts";
import { TaskDesk } from "./task-desk.ts";
import { TaskFlow } from "./task-flow.ts";
import type { OutputKeeping } from "./task-output.ts";
import { TaskWaiters } from "./task-waiters.ts";
import { TurnFlow } from "./turn-flow.ts";
import { WorkerRuntime } from "./worker-runtime.ts";

/** The markers the controller uses by default. */
export const DEFAULT_MARKERS: MarkerSpec = {
  startPrefix: "---START-OF-OUTPUT-",
  endPrefix: DEFAULT_CONFIG.endMarkerPrefix,
  suffix: DEFAULT_CONFIG.endMarkerSuffix,
};

/** Options of {@link ScriptedWorker}; everything but the plugin has a default fit for tests. */
export interface ScriptedWorkerOptions {
  plugin: AgentPlugin;
  /** The plugin's ready pattern (`startup().ready`); none: its idle screen says when it is ready. */
  ready?: RegExp;
  worker?: string;
  project?: string;
  /** The answer to permission prompts the plugin leaves open (default "ask"). */
  approvalPolicy?: ApprovalPolicy;
  /** Retries: waits of `retryDelayMs`, doubling (default 20 ms). */
  retryDelayMs?: number;
  /** First back-off of a rate limit the agent does not time (default 250 ms, the flow's least). */
  rateLimitBackoffMs?: number;
  /** How long a hook may lag behind an idle screen (default 2000 ms, as in the controller). */
  hookGraceMs?: number;
  markers?: MarkerSpec;
  /** Per-task markers for plugins with `detect.nonce`, as the controller gives them (default false). */
  nonces?: boolean;
  /** The cap on stored output and its files (default: none, all of it stored). */
  outputs?: OutputKeeping;
}

/** A line the flows logged. */
export interface LoggedLine {
  level: LogLevel;
  msg: string;
  fields: Record<string, unknown>;
}

/**
 * One worker driven through the real task and turn flows, its screen reader and the task
 * desk, on the real store (in memory) and a {@link ScriptedPane} instead of tmux. Output the
 * script pushes reaches the flows as the controller hands them tmux's `%output` (in one store
 * transaction per read); hooks reach the turn flow as `orch hook` does. For unit tests of the
 * flows and the plugin contract suite (`orch plugin test`).
 *
 * @example
 * ```ts
 * const w = new ScriptedWorker({ plugin, ready: /\$ $/ });
 * w.output("$ ");                       // the prompt: the worker is ready
 * const t = w.send("echo hi");          // dispatched at once
 * await w.pane.waitForStroke((s) => s.op === "keys", 1000, "the submit key");
 * w.output(`${start}\r\nhi\r\n${end}0---\r\n$ `);
 * (await w.waitFinal(t.id, 1000)).status; // "succeeded"
 * w.close();
 * ```
 */
export class ScriptedWorker {
  readonly pane = new ScriptedPane();
  readonly store: Store;
  readonly waiters = new TaskWaiters();
  readonly flow: TaskFlow;
  readonly turns: TurnFlow;
  readonly reader: PaneReader;
  readonly desk: TaskDesk;
  readonly rt: WorkerRuntime;
  readonly logs: LoggedLine[] = [];
  /** Tasks that reached their final status, in order. */
  readonly finals: Task[] = [];
  /** Retries queued to wait until these times. */
  readonly wakeUps: number[] = [];
  readonly paneId = "%1";
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(o: ScriptedWorkerOptions) {
    const name = o.worker ?? "w1";
    const project = o.project ?? "/tmp/orch-scripted-project";
    this.store = openStore(":memory:");
    const logger: Logger = { log: (level, msg, fields = {}) => this.logs.push({ level, msg, fields }) };
    const markers = o.markers ?? DEFAULT_MARKERS;
    const runtimes = new Map<string, WorkerRuntime>();
    this.flow = new TaskFlow({
      store: this.store,
      logger,
      markers,
      nonces: o.nonces === true,
      waiters: this.waiters,
      ops: () => this.pane,
      retry: { maxRetries: 0, backoffFactor: 2, baseDelayMs: o.retryDelayMs ?? 20, maxDelayMs: 1000 },
      onFinal: (t) => this.finals.push(t),
      ...(o.outputs ? { outputs: o.outputs } : {}),
      // the scheduler's part: look again once a retry may start
      wakeAt: (at) => {
        this.wakeUps.push(at);
        const timer = setTimeout(
          () => {
            this.timers.delete(timer);
            this.store.transaction(() => this.flow.pump(this.rt));
          },
          Math.max(0, at - Date.now()),
        );
        this.timers.add(timer);
      },
    });
    this.turns = new TurnFlow({
      store: this.store,
      logger,
      waiters: this.waiters,
      ops: () => this.pane,
      flow: this.flow,
      approvalPolicy: o.approvalPolicy ?? "ask",
      readScreen: (rt) => this.reader.readScreen(rt),
      rateLimitBackoffMs: o.rateLimitBackoffMs ?? 250,
      ...(o.hookGraceMs !== undefined ? { hookGraceMs: o.hookGraceMs } : {}),
    });
    this.flow.turns = this.turns;
    this.reader = new PaneReader({
      host: () => ({ ops: this.pane }),
      flow: this.flow,
      turns: this.turns,
      logger,
    });
    this.desk = new TaskDesk({
      store: this.store,
      config: { ...DEFAULT_CONFIG },
      flow: this.flow,
      waiters: this.waiters,
      runtimes,
      unknownWorker: (n) => fail("not_found", `no worker named "${n}"`),
    });
    const worker: Worker = {
      id: crypto.randomUUID(),
      name,
      type: o.plugin.name,
      project,
      worktree: null,
      state: "idle",
      paneId: this.paneId,
      currentTask: null,
      restarts: 0,
      createdAt: Date.now(),
      host: "local",
      error: null,
    };
    this.store.workers.insert(worker);
    this.rt = new WorkerRuntime(worker.id, name, o.plugin, o.ready);
    this.rt.paneId = this.paneId;
    this.rt.windowId = "@1";
    this.rt.project = project;
    runtimes.set(name, this.rt);
    this.pane.panes.push({
      paneId: this.paneId,
      windowId: "@1",
      windowName: `${o.plugin.name}-${name}`,
      pid: process.pid,
      dead: false,
      deadStatus: null,
      deadSignal: null,
      workerId: worker.id,
      piped: true,
      sent: "-",
    });
    // as the controller's tmux host does: one commit per read, idle states written in it
    this.pane.onOutput = (paneId, data) => {
      if (paneId !== this.rt.paneId) return;
      this.store.transaction(() => {
        this.reader.onOutput(this.rt, data);
        this.flow.flushIdle();
      });
    };
  }

  get name(): string {
    return this.rt.name;
  }

  /** The agent printed `text` (or bytes). */
  output(text: string | Uint8Array): void {
    this.pane.output(this.paneId, text);
  }

  /** The agent's screen is `screen` from now on; with `print`, it also printed (so the screen is read). */
  show(screen: string, print: string | null = "\r"): void {
    this.pane.setScreen(this.paneId, screen);
    if (print !== null) this.output(print);
  }

  /** The agent's hook fired (as `orch hook` reports it). */
  hook(e: HookEvent): void {
    this.turns.onHook(this.rt, e);
  }

  /** Sends a task to this worker as `orch send` does; dispatched at once when the worker is free. */
  send(text: string, o: { timeoutSec?: number; retries?: number } = {}): Task {
    const r = this.store.transaction(() =>
      this.desk.send({
        worker: this.name,
        text,
        timeoutSec: o.timeoutSec ?? 30,
        ...(o.retries !== undefined ? { retries: o.retries } : {}),
      }),
    );
    if (!r.ok) throw new Error(r.error);
    return r.value;
  }

  /** Cancels a task as `orch cancel` does. */
  cancel(id: string, why = "cancelled by the test"): Task {
    const r = this.desk.cancel(id, why);
    if (!r.ok) throw new Error(r.error);
    return r.value;
  }

  task(id: string): Task {
    const t = this.store.tasks.get(id);
    if (!t) throw new Error(`no task ${id}`);
    return t;
  }

  worker(): Worker {
    return this.store.workers.get(this.name)!;
  }

  /** Resolves with the task once final; rejects after `ms` naming its status then. */
  async waitFinal(id: string, ms: number): Promise<Task> {
    const t = await this.desk.wait(id, ms);
    if (!t || !isFinal(t.status)) {
      throw new Error(
        `task ${id} still ${t?.status ?? "missing"} after ${ms} ms${t?.error ? ` (${t.error})` : ""}`,
      );
    }
    return t;
  }

  /** Waits until `cond` holds, looking again at each turn of the timers; rejects after `ms` naming `what`. */
  async waitFor(what: string, cond: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`${what}: not so after ${ms} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * Stops every timer of the worker and closes the store. The worker counts as dead from now
   * on, so what is still under way (a delivery's pause, a screen read) ends without a write.
   */
  close(): void {
    this.rt.phase = "dead";
    this.rt.clearTimer();
    if (this.rt.screenTimer) clearTimeout(this.rt.screenTimer);
    for (const t of this.timers) clearTimeout(t);
    this.waiters.releaseAll();
    this.store.close();
  }
}
