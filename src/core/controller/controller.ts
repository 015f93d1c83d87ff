import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import type { Config } from "../domain/config.ts";
import { validateTaskText, validateWorkerName } from "../domain/names.ts";
import { assertTaskTransition, isFinal } from "../domain/task-status.ts";
import { cleanOutput } from "../domain/text.ts";
import type { Task, Worker } from "../domain/types.ts";
import type { AgentPlugin, MarkerSpec } from "../plugin/contract.ts";
import type { PluginRegistry } from "../plugin/registry.ts";
import type { Store } from "../store/index.ts";
import { ControlClient } from "../tmux/control-client.ts";
import type { TmuxNotification } from "../tmux/control-parser.ts";
import { TmuxOps } from "../tmux/operations.ts";
import { ensureServer, killServer } from "../tmux/server.ts";
import type { TransportFactory } from "../tmux/transport.ts";
import { followLines, type LineFollower } from "./follow-file.ts";
import type { Logger } from "./logger.ts";
import { MarkerScanner } from "./marker-scanner.ts";
import { fail, type Outcome, ok } from "./outcome.ts";
import { type OrchPaths, workerDataDir, workerLogPath } from "./paths.ts";
import { recoverFromLog } from "./recover.ts";
import { WorkerRuntime } from "./worker-runtime.ts";

export interface ControllerDeps {
  paths: OrchPaths;
  config: Config;
  store: Store;
  plugins: PluginRegistry;
  logger: Logger;
  version: string;
  /** Makes the control-mode transport (a spawned `tmux -C`). */
  transport: TransportFactory;
  /** argv of window 0, the controller's live view. */
  viewArgv: string[];
}

export interface AddWorkerRequest {
  type: string;
  project: string;
  name?: string;
}

export interface SendRequest {
  worker: string;
  text: string;
  timeoutSec?: number;
}

type TaskWaiter = (t: Task) => void;

/** Start marker prefix of the completion protocol (the end marker's is configurable). */
const START_PREFIX = "---START-OF-OUTPUT-";

/**
 * The controller: the only writer of tmux and of the store. It reacts to control-mode
 * events (pane output, window close) and to the pane-died hook, never polls panes.
 */
export class Controller {
  readonly startedAt = Date.now();
  private readonly runtimes = new Map<string, WorkerRuntime>();
  private readonly byPane = new Map<string, WorkerRuntime>();
  private readonly waiters = new Map<string, Set<TaskWaiter>>();
  /**
   * Output of panes not (yet) attached to a worker. A new pane's first output can arrive in
   * the same read as tmux's answer to new-window, before the pane is known; it is replayed
   * when the pane is attached.
   */
  private readonly unclaimed = new Map<string, Uint8Array[]>();
  private readonly markers: MarkerSpec;
  private client!: ControlClient;
  private ops!: TmuxOps;
  private events: LineFollower | null = null;
  private stopping = false;
  private reconnecting: Promise<void> | null = null;

  constructor(private readonly d: ControllerDeps) {
    this.markers = {
      startPrefix: START_PREFIX,
      endPrefix: d.config.endMarkerPrefix,
      suffix: d.config.endMarkerSuffix,
    };
  }

  /** Brings up tmux, connects, adopts the panes it finds and starts following pane deaths. */
  async start(): Promise<void> {
    for (const dir of [this.d.paths.logsDir, this.d.paths.runDir, this.d.paths.workersDir]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
    if (!existsSync(this.d.paths.tmuxEvents)) writeFileSync(this.d.paths.tmuxEvents, "", { mode: 0o600 });
    this.events = followLines(this.d.paths.tmuxEvents, (line) => this.onTmuxEvent(line));
    await this.connect();
  }

  private async connect(): Promise<void> {
    const { paths, config } = this.d;
    await ensureServer({
      socket: paths.tmuxSocket,
      session: config.sessionName,
      configFile: paths.tmuxConfig,
      eventsFile: paths.tmuxEvents,
      historyLimit: config.historyLimit,
      width: config.paneWidth,
      height: config.paneHeight,
      controllerCwd: paths.home,
      controllerArgv: this.d.viewArgv,
    });
    this.client = new ControlClient(this.d.transport, {
      onOutput: (pane, data) => this.onOutput(pane, data),
      onNotification: (n) => this.onNotification(n),
      onClose: (reason) => this.onDisconnect(reason),
      // one commit for everything a read from tmux changes (finished tasks, next dispatches);
      // waiters are answered and keys sent in later microtasks, after it
      around: (handle) => this.d.store.transaction(handle),
      onHandlerError: (e) =>
        this.d.logger.log("error", "internal error while handling tmux output", {
          error: e.stack ?? e.message,
        }),
    });
    await this.client.connect();
    this.ops = new TmuxOps(this.client, config.sessionName);
    await this.ops.setClientSize(config.paneWidth, config.paneHeight);
    await this.adopt();
  }

  private onDisconnect(reason: string): void {
    if (this.stopping) return;
    this.d.logger.log("warn", "tmux connection lost", { reason });
    if (this.reconnecting) return;
    this.reconnecting = (async () => {
      for (let attempt = 1; !this.stopping; attempt++) {
        try {
          await this.connect();
          this.d.logger.log("info", "tmux connection restored", { attempt });
          break;
        } catch (e) {
          this.d.logger.log("warn", "tmux reconnect failed", { attempt, error: (e as Error).message });
          await Bun.sleep(Math.min(5000, 100 * 2 ** attempt));
        }
      }
      this.reconnecting = null;
    })();
  }

  /** Re-maps stored workers to the panes that carry their id; missing panes mean dead workers. */
  private async adopt(): Promise<void> {
    const panes = await this.ops.listPanes();
    const byWorker = new Map(panes.filter((p) => p.workerId).map((p) => [p.workerId!, p]));
    this.byPane.clear();
    for (const w of this.d.store.workers.list()) {
      const plugin = this.d.plugins.get(w.type);
      const old = this.runtimes.get(w.name);
      old?.clearTimer();
      if (!plugin) {
        this.d.store.workers.update(w.name, { state: "error", error: `unknown agent type "${w.type}"` });
        continue;
      }
      const rt = new WorkerRuntime(w.id, w.name, plugin, plugin.startup(this.startupContext(w)).ready);
      this.runtimes.set(w.name, rt);
      const pane = byWorker.get(w.id);
      if (!pane || pane.dead) {
        const why = pane ? `agent exited with status ${pane.deadStatus ?? "?"}` : "its tmux pane is gone";
        if (pane) this.attachPane(rt, pane.paneId, pane.windowId);
        this.markDead(rt, why);
        continue;
      }
      this.attachPane(rt, pane.paneId, pane.windowId);
      // the pipe outlives the controller; reopening it would lose what it is writing now
      if (!pane.piped) await this.ops.pipeToFile(pane.paneId, workerLogPath(this.d.paths, w.name));
      const inFlight = this.d.store.tasks.list({ worker: w.name, status: ["dispatched", "running"] })[0];
      if (inFlight) {
        rt.phase = "busy";
        this.recover(rt, inFlight);
      } else {
        rt.phase = "ready";
        this.d.store.workers.update(w.name, { state: "idle", paneId: pane.paneId, currentTask: null });
        this.pump(rt);
      }
      this.d.logger.log("info", "worker adopted", { worker: w.name, pane: pane.paneId });
    }
  }

  /** Finishes a task that ran while the controller was away, from the worker's pipe-pane log. */
  private recover(rt: WorkerRuntime, task: Task): void {
    const log = workerLogPath(this.d.paths, rt.name);
    // onDone may run inside recoverFromLog (the end is already logged): defer it past the assignment
    rt.startedAt = task.startedAt;
    rt.recovery = recoverFromLog(log, task.id, this.markers, (r) =>
      queueMicrotask(() => {
        if (rt.phase !== "busy") return;
        rt.recovery = null;
        this.finishTask(rt, task.id, r.exitCode, r.raw);
        rt.phase = "ready"; // the command has ended: the shell is at (or about to show) its prompt
        this.pump(rt);
      }),
    );
    const remaining = Math.max(1000, task.timeoutMs - (Date.now() - (task.startedAt ?? Date.now())));
    rt.timer = setTimeout(() => this.onTimeout(rt, task.id), remaining);
  }

  private attachPane(rt: WorkerRuntime, paneId: string, windowId: string): void {
    rt.paneId = paneId;
    rt.windowId = windowId;
    this.byPane.set(paneId, rt);
    const early = this.unclaimed.get(paneId);
    this.unclaimed.delete(paneId);
    for (const chunk of early ?? []) this.onOutput(paneId, chunk);
  }

  private holdUnclaimed(paneId: string, data: Uint8Array): void {
    const list = this.unclaimed.get(paneId) ?? [];
    list.push(data.slice());
    while (list.length > 64) list.shift();
    this.unclaimed.set(paneId, list);
    if (this.unclaimed.size > 256) this.unclaimed.delete(this.unclaimed.keys().next().value!);
  }

  private startupContext(w: Pick<Worker, "name" | "project">) {
    return { workerName: w.name, project: w.project, dataDir: workerDataDir(this.d.paths, w.name) };
  }

  // ---- workers -------------------------------------------------------------------------

  /** Spawns an agent of `type` in `project`, resolves once it is ready (or failed to be). */
  async addWorker(req: AddWorkerRequest): Promise<Outcome<Worker>> {
    const plugin = this.d.plugins.get(req.type);
    if (!plugin) {
      return fail(
        "bad_input",
        `unknown agent type "${req.type}": expected one of ${this.d.plugins.names().join(", ")}`,
      );
    }
    const project = resolve(req.project);
    if (!isAbsolute(req.project) && req.project.length === 0) return fail("bad_input", "empty project path");
    if (!existsSync(project) || !statSync(project).isDirectory()) {
      return fail("bad_input", `project directory "${req.project}" does not exist`);
    }
    const name = req.name ?? this.nextName(req.type);
    const nameCheck = validateWorkerName(name);
    if (!nameCheck.ok) return fail("bad_input", nameCheck.error);
    if (this.d.store.workers.get(name)) return fail("conflict", `a worker named "${name}" already exists`);
    if (this.d.store.workers.list().length >= this.d.config.maxWorkers) {
      return fail("conflict", `already ${this.d.config.maxWorkers} workers (maxWorkers): remove one first`);
    }
    const worker: Worker = {
      id: randomUUID(),
      name,
      type: plugin.name,
      project,
      state: "idle",
      paneId: null,
      currentTask: null,
      restarts: 0,
      createdAt: Date.now(),
      error: null,
    };
    this.d.store.workers.insert(worker);
    this.d.store.events.append({
      at: Date.now(),
      kind: "worker.added",
      worker: name,
      task: null,
      data: { type: plugin.name, project },
    });
    const started = await this.spawnAgent(worker, plugin);
    if (!started.ok) return started;
    return ok(this.d.store.workers.get(name)!);
  }

  private nextName(type: string): string {
    const taken = new Set(this.d.store.workers.list().map((w) => w.name));
    for (let i = 1; ; i++) if (!taken.has(`${type}-${i}`)) return `${type}-${i}`;
  }

  /** Seeds files, opens the window (or respawns the pane) and waits for the ready pattern. */
  private async spawnAgent(
    worker: Worker,
    plugin: AgentPlugin,
    respawnPane?: string,
  ): Promise<Outcome<void>> {
    const ctx = this.startupContext(worker);
    let spec: ReturnType<AgentPlugin["startup"]>;
    try {
      spec = plugin.startup(ctx);
    } catch (e) {
      return this.startFailed(
        worker.name,
        `plugin ${plugin.name} failed in startup: ${(e as Error).message}`,
      );
    }
    mkdirSync(ctx.dataDir, { recursive: true, mode: 0o700 });
    for (const f of spec.files ?? []) {
      writeFileSync(isAbsolute(f.path) ? f.path : join(ctx.dataDir, f.path), f.content, {
        mode: f.mode ?? 0o600,
      });
    }
    const rt = new WorkerRuntime(worker.id, worker.name, plugin, spec.ready);
    const old = this.runtimes.get(worker.name);
    if (old?.paneId) this.byPane.delete(old.paneId);
    old?.clearTimer();
    this.runtimes.set(worker.name, rt);
    const readyP = new Promise<boolean>((res) => rt.readyWaiters.push(res));
    const env = { ORCH_HOME: this.d.paths.home, ...spec.env };
    try {
      if (respawnPane) {
        this.attachPane(rt, respawnPane, old?.windowId ?? "");
        await this.ops.respawnPane(respawnPane, { cwd: worker.project, argv: spec.argv, env });
      } else {
        const { paneId, windowId } = await this.ops.newWindow({
          name: `${plugin.name}-${worker.name}`,
          cwd: worker.project,
          argv: spec.argv,
          env,
        });
        this.attachPane(rt, paneId, windowId);
        await this.ops.setPaneOption(paneId, "@orch_worker", worker.id);
      }
      await this.ops.pipeToFile(rt.paneId!, workerLogPath(this.d.paths, worker.name));
    } catch (e) {
      return this.startFailed(worker.name, `cannot start the agent: ${(e as Error).message}`);
    }
    this.d.store.workers.update(worker.name, {
      paneId: rt.paneId,
      state: "idle",
      error: null,
      currentTask: null,
    });
    const timeoutMs = this.d.config.workerStartupTimeout * 1000;
    const timer = setTimeout(() => rt.settleWaiters(false), timeoutMs);
    const ready = await readyP;
    clearTimeout(timer);
    if (!ready) {
      if (rt.phase === "dead") return fail("unavailable", `worker "${worker.name}" died while starting`);
      rt.phase = "dead";
      return this.startFailed(
        worker.name,
        `agent not ready after ${this.d.config.workerStartupTimeout} s (WORKER_STARTUP_TIMEOUT)`,
      );
    }
    this.d.logger.log("info", "worker ready", { worker: worker.name, pane: rt.paneId });
    return ok(undefined);
  }

  private startFailed(name: string, error: string): Outcome<never> {
    this.d.store.workers.update(name, { state: "error", error });
    this.d.store.events.append({
      at: Date.now(),
      kind: "worker.error",
      worker: name,
      task: null,
      data: { error },
    });
    this.d.logger.log("error", "worker failed to start", { worker: name, error });
    return fail("unavailable", `worker "${name}": ${error}`);
  }

  /** Kills the worker's window and forgets it; its unfinished tasks are cancelled. */
  async killWorker(name: string): Promise<Outcome<void>> {
    const w = this.d.store.workers.get(name);
    if (!w) return this.unknownWorker(name);
    const rt = this.runtimes.get(name);
    rt?.clearTimer();
    if (rt) {
      rt.phase = "dead";
      rt.settleWaiters(false);
      if (rt.paneId) this.byPane.delete(rt.paneId);
    }
    this.runtimes.delete(name);
    if (rt?.paneId) await this.ops.killWindow(rt.paneId).catch(() => undefined);
    this.d.store.transaction(() => {
      this.cancelUnfinished(name, `worker "${name}" was killed`);
      this.d.store.workers.remove(name);
      this.d.store.events.append({
        at: Date.now(),
        kind: "worker.killed",
        worker: name,
        task: null,
        data: {},
      });
    });
    this.d.logger.log("info", "worker killed", { worker: name });
    return ok(undefined);
  }

  /** Restarts a worker's agent in its window (same type, project and name). */
  async revive(name: string): Promise<Outcome<Worker>> {
    const w = this.d.store.workers.get(name);
    if (!w) return this.unknownWorker(name);
    const plugin = this.d.plugins.get(w.type);
    if (!plugin) return fail("bad_input", `unknown agent type "${w.type}" of worker "${name}"`);
    const rt = this.runtimes.get(name);
    if (rt?.scanner) this.finishWithError(rt, rt.scanner.taskId, "failed", `worker "${name}" was revived`);
    this.d.store.workers.update(name, { restarts: w.restarts + 1 });
    const paneAlive = rt?.paneId && (await this.ops.listPanes()).some((p) => p.paneId === rt.paneId);
    const r = await this.spawnAgent(w, plugin, paneAlive ? rt!.paneId! : undefined);
    if (!r.ok) return r;
    this.d.store.events.append({
      at: Date.now(),
      kind: "worker.revived",
      worker: name,
      task: null,
      data: {},
    });
    return ok(this.d.store.workers.get(name)!);
  }

  private cancelUnfinished(name: string, why: string): void {
    for (const t of this.d.store.tasks.list({ worker: name, status: ["queued", "dispatched", "running"] })) {
      const done = this.d.store.tasks.update(t.id, {
        status: "cancelled",
        error: why,
        finishedAt: Date.now(),
      });
      if (done) this.notify(done);
    }
  }

  private unknownWorker(name: string): Outcome<never> {
    const names = this.d.store.workers.list().map((w) => w.name);
    return fail(
      "not_found",
      `unknown worker "${name}"${names.length ? ` (workers: ${names.join(", ")})` : " (no workers yet)"}`,
    );
  }

  // ---- tasks ---------------------------------------------------------------------------

  /** Queues a task on one worker's FIFO and starts it if the worker is free. */
  send(req: SendRequest): Outcome<Task> {
    const w = this.d.store.workers.get(req.worker);
    if (!w) return this.unknownWorker(req.worker);
    const check = validateTaskText(req.text, this.d.config.maxTaskBytes);
    if (!check.ok) return fail("bad_input", check.error);
    if (w.state === "dead" || w.state === "error") {
      return fail(
        "unavailable",
        `worker "${w.name}" is ${w.state}${w.error ? ` (${w.error})` : ""}: run orch revive ${w.name}`,
      );
    }
    const timeoutSec = req.timeoutSec ?? this.d.config.commandTimeout;
    const rt = this.runtimes.get(w.name);
    // insert and, when the worker is free, dispatch in one commit
    return this.d.store.transaction(() => {
      const task = this.insertTask(w.name, req.text, timeoutSec);
      if (rt) this.pump(rt);
      return ok(rt?.scanner?.taskId === task.id ? (this.d.store.tasks.get(task.id) ?? task) : task);
    });
  }

  private insertTask(worker: string, text: string, timeoutSec: number): Task {
    return this.d.store.tasks.insert({
      id: randomUUID(),
      worker,
      text,
      priority: 3,
      status: "queued",
      exitCode: null,
      output: null,
      submittedAt: Date.now(),
      startedAt: null,
      finishedAt: null,
      attempts: 0,
      error: null,
      timeoutMs: Math.round(timeoutSec * 1000),
    });
  }

  getTask(id: string): Task | null {
    return this.d.store.tasks.get(id);
  }

  /** Resolves with the task once it is final, or as it is after `ms`. */
  waitTask(id: string, ms: number): Promise<Task | null> {
    const t = this.d.store.tasks.get(id);
    if (!t || isFinalStatus(t.status) || ms <= 0) return Promise.resolve(t);
    return new Promise((res) => {
      const set = this.waiters.get(id) ?? new Set<TaskWaiter>();
      this.waiters.set(id, set);
      const timer = setTimeout(() => {
        set.delete(done);
        res(this.d.store.tasks.get(id));
      }, ms);
      const done: TaskWaiter = (task) => {
        clearTimeout(timer);
        res(task);
      };
      set.add(done);
    });
  }

  private notify(t: Task): void {
    const set = this.waiters.get(t.id);
    if (!set) return;
    this.waiters.delete(t.id);
    for (const w of set) w(t);
  }

  /** Delivers the next queued task if the worker is ready and free. */
  private pump(rt: WorkerRuntime): void {
    if (rt.phase !== "ready" || rt.scanner || !rt.paneId) return;
    const task = this.d.store.tasks.nextQueued(rt.name);
    if (!task) return;
    const now = Date.now();
    this.d.store.transaction(() => {
      assertTaskTransition(task.status, "dispatched");
      this.d.store.tasks.update(task.id, { status: "dispatched", attempts: task.attempts + 1 });
      this.d.store.workers.update(rt.name, { state: "running", currentTask: task.id });
    });
    rt.phase = "busy";
    rt.scanner = new MarkerScanner(task.id, this.markers);
    rt.timer = setTimeout(() => this.onTimeout(rt, task.id), task.timeoutMs);
    rt.dispatchedAt = now;
    rt.startedAt = null;
    let delivery: ReturnType<AgentPlugin["frame"]>;
    try {
      delivery = rt.plugin.frame({ id: task.id, text: task.text }, this.markers);
    } catch (e) {
      this.finishWithError(
        rt,
        task.id,
        "failed",
        `plugin ${rt.plugin.name} failed to frame the task: ${(e as Error).message}`,
      );
      return;
    }
    const paneId = rt.paneId;
    void (async () => {
      // tmux runs commands in the order sent: without a pause, paste and submit go in one write
      const pasted = this.ops.paste(paneId, delivery.text);
      if (delivery.submitDelayMs) {
        await pasted;
        await Bun.sleep(delivery.submitDelayMs);
      }
      const submitted = delivery.submit.length
        ? this.ops.sendKeys(paneId, delivery.submit)
        : Promise.resolve();
      await Promise.all([pasted, submitted]);
    })().catch((e) => {
      if (rt.scanner?.taskId === task.id)
        this.finishWithError(rt, task.id, "failed", `delivery failed: ${(e as Error).message}`);
    });
  }

  private onOutput(paneId: string, data: Uint8Array): void {
    const rt = this.byPane.get(paneId);
    if (!rt) {
      this.holdUnclaimed(paneId, data);
      return;
    }
    let text = rt.decode(data);
    if (rt.recovery) {
      // the log is the source for this task; live output only says it has grown
      queueMicrotask(() => rt.recovery?.scan());
      return;
    }
    if (rt.scanner) {
      const r = rt.scanner.push(text);
      if (r.startedNow) {
        assertTaskTransition("dispatched", "running");
        rt.startedAt = Date.now();
        // Committed on the next turn unless the task has finished by then: the final commit
        // carries startedAt, so a short task costs one commit less. Nothing waits on `running`.
        const id = rt.scanner.taskId;
        const startedAt = rt.startedAt;
        setImmediate(() => {
          if (rt.scanner?.taskId === id) this.d.store.tasks.update(id, { status: "running", startedAt });
        });
      }
      if (r.kind === "pending") return;
      this.finishTask(rt, rt.scanner.taskId, r.exitCode, r.raw);
      text = r.rest;
    }
    if ((rt.phase === "starting" || rt.phase === "settling") && rt.feedReady(text)) {
      rt.phase = "ready";
      rt.settleWaiters(true);
      this.pump(rt);
    }
  }

  /** Records a task's result from its end marker, exactly once. */
  private finishTask(rt: WorkerRuntime, taskId: string, exitCode: number, raw: string): void {
    rt.scanner = null;
    rt.clearTimer();
    rt.phase = "settling";
    rt.resetReady();
    const now = Date.now();
    const status = exitCode === 0 ? "succeeded" : "failed";
    // The scanner (or the log recovery) that saw the end marker is gone now, so this runs
    // once per task; the store needs no read to know the task is still unfinished.
    assertTaskTransition("running", status);
    const t = this.d.store.transaction(() => {
      const done = this.d.store.tasks.update(taskId, {
        status,
        exitCode,
        output: cleanOutput(raw),
        startedAt: rt.startedAt ?? rt.dispatchedAt ?? now,
        finishedAt: now,
        error: exitCode === 0 ? null : `exited with status ${exitCode}`,
      });
      this.d.store.workers.update(rt.name, { state: "idle", currentTask: null });
      return done;
    });
    if (t) {
      this.notify(t);
      // a failure is news for the live view; thousands of successes a second are not
      if (t.status !== "succeeded")
        this.d.logger.log("info", `task ${t.status}`, { worker: rt.name, task: t.id, exit: exitCode });
    }
  }

  private finishWithError(
    rt: WorkerRuntime,
    taskId: string,
    status: "failed" | "timed_out",
    error: string,
  ): void {
    const partial = rt.scanner?.taskId === taskId ? rt.scanner.partial : "";
    if (rt.scanner?.taskId === taskId) rt.scanner = null;
    rt.clearTimer();
    const now = Date.now();
    const t = this.d.store.transaction(() => {
      const cur = this.d.store.tasks.get(taskId);
      if (!cur || isFinalStatus(cur.status)) return null;
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
      this.d.store.events.append({
        at: now,
        kind: `task.${status}`,
        worker: rt.name,
        task: taskId,
        data: { error },
      });
      return done;
    });
    if (t) this.notify(t);
  }

  private onTimeout(rt: WorkerRuntime, taskId: string): void {
    const t = this.d.store.tasks.get(taskId);
    if (!t || isFinalStatus(t.status)) return;
    const keys = rt.plugin.interruptKeys ?? ["C-c"];
    this.finishWithError(
      rt,
      taskId,
      "timed_out",
      `timed out after ${t.timeoutMs / 1000} s; interrupted with ${keys.join(" ")}`,
    );
    if (rt.phase !== "dead") {
      rt.phase = "settling";
      rt.resetReady();
      if (rt.paneId) void this.ops.sendKeys(rt.paneId, keys).catch(() => undefined);
    }
    this.d.logger.log("warn", "task timed out", { worker: rt.name, task: taskId });
  }

  // ---- liveness ------------------------------------------------------------------------

  /** A line from the pane-died hook: `pane-died %PANE STATUS`. */
  private onTmuxEvent(line: string): void {
    const [kind, paneId, status] = line.trim().split(" ");
    if (kind !== "pane-died" || !paneId) return;
    const rt = this.byPane.get(paneId);
    if (!rt || rt.phase === "dead") return;
    this.markDead(rt, `agent exited with status ${status || "?"}`);
  }

  private onNotification(n: TmuxNotification): void {
    if (n.type !== "window-close" && n.type !== "unlinked-window-close") return;
    for (const rt of this.runtimes.values()) {
      if (rt.windowId === n.windowId && rt.phase !== "dead") this.markDead(rt, "its tmux window was closed");
    }
  }

  private markDead(rt: WorkerRuntime, why: string): void {
    rt.phase = "dead";
    rt.settleWaiters(false);
    if (rt.scanner) this.finishWithError(rt, rt.scanner.taskId, "failed", `${why} before the task finished`);
    for (const t of this.d.store.tasks.list({ worker: rt.name, status: ["dispatched", "running"] })) {
      this.finishWithError(rt, t.id, "failed", `${why} before the task finished`);
    }
    this.d.store.workers.update(rt.name, { state: "dead", currentTask: null, error: why });
    this.d.store.events.append({
      at: Date.now(),
      kind: "worker.dead",
      worker: rt.name,
      task: null,
      data: { reason: why },
    });
    this.d.logger.log("warn", "worker dead", { worker: rt.name, reason: why });
  }

  // ---- reading -------------------------------------------------------------------------

  workers(): Array<{ worker: Worker; ready: boolean }> {
    return this.d.store.workers
      .list()
      .map((w) => ({ worker: w, ready: this.runtimes.get(w.name)?.phase === "ready" }));
  }

  /** Tasks oldest first; with `limit`, the newest `limit` of them. */
  listTasks(opts: { worker?: string; limit?: number }): Task[] {
    if (!opts.limit) return this.d.store.tasks.list({ worker: opts.worker, order: "asc" });
    return this.d.store.tasks.list({ worker: opts.worker, limit: opts.limit, order: "desc" }).reverse();
  }

  async capture(name: string): Promise<Outcome<string>> {
    const rt = this.runtimes.get(name);
    if (!this.d.store.workers.get(name)) return this.unknownWorker(name);
    if (!rt?.paneId) return fail("unavailable", `worker "${name}" has no pane`);
    try {
      return ok(await this.ops.capture(rt.paneId));
    } catch (e) {
      return fail("unavailable", (e as Error).message);
    }
  }

  logFile(name: string): Outcome<string> {
    if (!this.d.store.workers.get(name)) return this.unknownWorker(name);
    return ok(workerLogPath(this.d.paths, name));
  }

  /** Stops reacting and disconnects; agents keep running unless `killWorkers`. */
  async shutdown(killWorkers: boolean): Promise<void> {
    this.stopping = true;
    for (const rt of this.runtimes.values()) rt.clearTimer();
    this.events?.close();
    if (killWorkers) {
      this.client?.close();
      await killServer(this.d.paths.tmuxSocket);
      this.d.store.transaction(() => {
        for (const w of this.d.store.workers.list()) {
          this.cancelUnfinished(w.name, "orch stop --kill-workers");
          this.d.store.workers.remove(w.name);
        }
      });
    } else {
      this.client?.close();
    }
    for (const [id, set] of this.waiters) {
      const t = this.d.store.tasks.get(id);
      if (t) for (const w of set) w(t);
    }
    this.waiters.clear();
  }
}

const isFinalStatus = isFinal;
