import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Config } from "../domain/config.ts";
import { describeExit } from "../domain/exit-status.ts";
import { canSpawnWorker, type LimitBreach, limitsFromConfig } from "../domain/limits.ts";
import { lineControlCharacter, validateTaskText, validateWorkerName } from "../domain/names.ts";
import { permissionSkipRefusal } from "../domain/permission-skip.ts";
import { DEFAULT_PRIORITY, queueRank } from "../domain/priority.ts";
import { retryPolicyFromConfig } from "../domain/retry.ts";
import { isFinal } from "../domain/task-status.ts";
import type { OrchEvent, Task, TaskAttempt, TaskStatus, Worker } from "../domain/types.ts";
import { unknownWorkerMessage } from "../domain/unknown-worker.ts";
import type { AgentPlugin, HookEvent, MarkerSpec, ResultInput, StartupContext } from "../plugin/contract.ts";
import type { PluginRegistry } from "../plugin/registry.ts";
import { classifyScreen } from "../plugin/screen-rules.ts";
import { makeStartupContext } from "../plugin/startup-context.ts";
import { startupSpecError } from "../plugin/validate.ts";
import type { Store } from "../store/index.ts";
import { workerEvent } from "../store/index.ts";
import { wrongPathKind } from "../store/path-kind.ts";
import { ensurePrivateFile } from "../store/private-files.ts";
import { ControlClient } from "../tmux/control-client.ts";
import type { TmuxNotification } from "../tmux/control-parser.ts";
import { TmuxOps } from "../tmux/operations.ts";
import { PANE_DEAD_FORMAT, parsePaneDeadValue, parsePaneDiedLine } from "../tmux/pane-death.ts";
import { ensureServer, killServer } from "../tmux/server.ts";
import type { TransportFactory } from "../tmux/transport.ts";
import { EventFeed } from "./event-feed.ts";
import { followLines, type LineFollower } from "./follow-file.ts";
import { GroupCommit } from "./group-commit.ts";
import { HealthPass, type WorkerHealth } from "./health-pass.ts";
import type { Logger } from "./logger.ts";
import { type Masking, NO_MASKING } from "./masking.ts";
import { fail, type Outcome, ok } from "./outcome.ts";
import { PaneRegistry } from "./pane-registry.ts";
import { type OrchPaths, workerDataDir, workerLogPath } from "./paths.ts";
import { decideApproval, extractResult, readyPattern } from "./plugin-calls.ts";
import { ResourceMonitor } from "./resource-monitor.ts";
import { Scheduler, type SubmitRequest } from "./scheduler.ts";
import { TaskFlow } from "./task-flow.ts";
import { TaskWaiters } from "./task-waiters.ts";
import { TurnFlow } from "./turn-flow.ts";
import { WorkerRuntime } from "./worker-runtime.ts";
import { createWorkerWorktree, removeWorkerWorktree, type WorktreeRemoval } from "./worker-worktree.ts";

/**
 * Who asked for a revive (in the `worker.revived` event): the health loop ("auto", counted by
 * the restart intensity), a person, a resource limit, or a lost tmux server.
 */
export type ReviveCause = "auto" | "hand" | "limit" | "tmux";

/** The name of orch's control-mode subscription to every pane's `pane_dead`. */
const DEAD_SUBSCRIPTION = "orch-dead";

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
  /** argv that runs this orch binary (agents' hooks call `orch hook` through it). */
  orchArgv: string[];
  /** Secret masking for pane logs and what `capture` shows (the store masks the rest); none: raw. */
  masking?: Masking;
}

/** Told of a task's progress: `dispatched` (run tasks only) or `final`. */
export type TaskListener = (t: Task, what: "dispatched" | "final") => void;

export interface AddWorkerRequest {
  type: string;
  project: string;
  name?: string;
  /** A git worktree of its own (true), none (false), or as the config's `worktree` says. */
  worktree?: boolean;
}

export interface SendRequest {
  worker: string;
  text: string;
  timeoutSec?: number;
  /** Retries after the first attempt fails or times out (default 0 for a task sent to one worker). */
  retries?: number;
}

/** How long pane output must settle before the screen is read for the plugin's rules. */
const SCREEN_DEBOUNCE_MS = 40;

/** Start marker prefix of the completion protocol (the end marker's is configurable). */
const START_PREFIX = "---START-OF-OUTPUT-";

/**
 * The controller: the only writer of tmux and of the store. It reacts to control-mode
 * events (pane output, window close) and to the pane-died hook, never polls panes.
 */
export class Controller {
  readonly startedAt = Date.now();
  private readonly runtimes = new Map<string, WorkerRuntime>();
  private readonly panes = new PaneRegistry();
  /** Panes whose pane-died line came before the pane was attached to a worker: id -> why (describeExit). */
  private readonly diedEarly = new Map<string, string>();
  private readonly waiters = new TaskWaiters();
  private readonly flow: TaskFlow;
  private readonly turns: TurnFlow;
  readonly scheduler: Scheduler;
  private readonly monitor: ResourceMonitor;
  /** Listeners told when a task is dispatched and when it reaches its final status. */
  private readonly taskListeners = new Set<TaskListener>();
  private readonly group: GroupCommit;
  private readonly health: HealthPass;
  private readonly feed: EventFeed;
  private healthTimer: ReturnType<typeof setInterval> | null = null;
  private client!: ControlClient;
  private ops!: TmuxOps;
  private events: LineFollower | null = null;
  private stopping = false;
  private readonly masking: Masking;
  private reconnecting: Promise<void> | null = null;
  private readonly reviving = new Map<string, Promise<Outcome<Worker>>>();

  constructor(private readonly d: ControllerDeps) {
    this.masking = d.masking ?? NO_MASKING;
    this.group = new GroupCommit((fn) => d.store.transaction(fn));
    const markers: MarkerSpec = {
      startPrefix: START_PREFIX,
      endPrefix: d.config.endMarkerPrefix,
      suffix: d.config.endMarkerSuffix,
    };
    const extract = (rt: WorkerRuntime, input: ResultInput) => extractResult(rt.plugin, input, d.logger);
    this.flow = new TaskFlow({
      store: d.store,
      logger: d.logger,
      markers,
      waiters: this.waiters,
      ops: () => this.ops,
      extract,
      retry: retryPolicyFromConfig(d.config),
      onFinal: (t) => {
        for (const l of this.taskListeners) l(t, "final");
      },
      onDispatched: (t) => {
        for (const l of this.taskListeners) l(t, "dispatched");
      },
      wakeAt: (at) => this.scheduler.wakeAt(at),
      deadPane: async (rt) => {
        if (!rt.paneId || rt.phase === "dead") return rt.phase === "dead";
        const pane = (await this.ops.listPanes().catch(() => [])).find((p) => p.paneId === rt.paneId);
        if (!pane?.dead) return false;
        this.markDead(rt, describeExit(pane.deadStatus, pane.deadSignal));
        return true;
      },
    });
    this.turns = new TurnFlow({
      store: d.store,
      logger: d.logger,
      waiters: this.waiters,
      ops: () => this.ops,
      flow: this.flow,
      extract,
      decide: (rt, screen) => decideApproval(rt.plugin, screen, d.config.approvalPolicy, d.logger),
      readScreen: (rt) => this.readScreen(rt),
      rateLimitBackoffMs: d.config.rateLimitBackoff * 1000,
    });
    this.flow.turns = this.turns;
    this.scheduler = new Scheduler({
      store: d.store,
      config: d.config,
      logger: d.logger,
      flow: this.flow,
      runtimes: () => this.runtimes.values(),
      pluginNames: () => d.plugins.names(),
      // no worktree: a worker in one would not be in the project its pool tasks ask for
      spawn: (type, project) => this.addWorker({ type, project, worktree: false }),
    });
    this.monitor = new ResourceMonitor({
      limits: limitsFromConfig(d.config),
      intervalMs: d.config.healthCheckInterval * 1000,
      logger: d.logger,
      panes: async () => {
        const pids = new Map((await this.ops.listPanes()).map((p) => [p.paneId, p.pid]));
        return [...this.runtimes.values()]
          .filter((rt) => rt.paneId && rt.phase !== "dead" && pids.get(rt.paneId))
          .map((rt) => ({ worker: rt.name, pid: pids.get(rt.paneId!)! }));
      },
      onBreach: (worker, b) => this.onLimitBreach(worker, b),
    });
    this.feed = new EventFeed(d.store.events);
    this.health = new HealthPass({
      store: d.store,
      config: d.config,
      logger: d.logger,
      runtime: (name) => this.runtimes.get(name),
      listPanes: () => this.ops.listPanes(),
      revive: (name, by) => this.revive(name, by),
      probe: (name) => this.probe(name),
      markDead: (name, reason) => {
        const rt = this.runtimes.get(name);
        if (rt && rt.phase !== "dead") this.markDead(rt, reason);
      },
    });
  }

  /**
   * Types the plugin's probe into an idle worker (nothing is dispatched meanwhile); resolves
   * with the ms the answer took, `false` when none came within its time, or null when the
   * worker was not probed (no probe, or not idle).
   */
  private async probe(name: string): Promise<number | false | null> {
    const rt = this.runtimes.get(name);
    const spec = rt?.plugin.probe;
    if (!rt || !spec || rt.phase !== "ready" || rt.currentTaskId || !rt.paneId) return null;
    rt.phase = "busy";
    rt.resetReady();
    const sent = Date.now();
    const answered = new Promise<boolean>((res) => {
      rt.probe = { expect: spec.expect, seen: "", answered: res };
    });
    const timer = setTimeout(() => rt.probe?.answered(false), spec.timeoutMs ?? 5000);
    try {
      await this.ops.sendText(rt.paneId, spec.text);
      await this.ops.sendKeys(rt.paneId, ["Enter"]);
    } catch {
      rt.probe?.answered(false);
    }
    const ok = await answered;
    clearTimeout(timer);
    if (!ok && rt.probe) {
      rt.probe = null;
      if (rt.phase === "busy") rt.phase = "settling"; // a late prompt still makes it ready
    }
    return ok ? Date.now() - sent : false;
  }

  /** Events after `afterId` (the newest `limit` when afterId is null), waiting up to `waitMs` for one. */
  eventsAfter(afterId: number | null, limit: number, waitMs: number): Promise<OrchEvent[]> {
    if (afterId === null) return Promise.resolve(this.d.store.events.latest(limit));
    return this.feed.after(afterId, limit, waitMs);
  }

  /** One health pass now (`orch health-check`): a verdict per worker, repairs made. */
  healthCheck(): Promise<WorkerHealth[]> {
    return this.health.run();
  }

  /** A worker went over a memory or CPU limit: an event, then the limit's policy. */
  private async onLimitBreach(worker: string, b: LimitBreach): Promise<void> {
    const { limit, value, max, policy, message } = b;
    this.d.store.events.append(workerEvent("worker.limit", worker, { limit, value, max, policy, message }));
    this.d.logger.log("warn", "worker over a resource limit", { worker, message: b.message });
    if (b.policy === "restart") await this.revive(worker, "limit");
    else if (b.policy === "kill") await this.killWorker(worker);
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
      around: (handle) =>
        this.d.store.transaction(() => {
          handle();
          this.flow.flushIdle();
        }),
      onHandlerError: (e) =>
        this.d.logger.log("error", "internal error while handling tmux output", {
          error: e.stack ?? e.message,
        }),
    });
    await this.client.connect();
    this.ops = new TmuxOps(this.client, config.sessionName);
    await this.ops.setClientSize(config.paneWidth, config.paneHeight);
    // a second source of deaths: tmux 3.3a sometimes runs no pane-died hook for a pane. tmux
    // compares values about once a second, so the pid makes a death after a quick revive new
    await this.ops.subscribePanes(DEAD_SUBSCRIPTION, PANE_DEAD_FORMAT);
    await this.adopt();
    const wake = this.d.store.tasks.nextWake(Date.now());
    if (wake !== null) this.scheduler.wakeAt(wake);
    this.monitor.start();
    this.healthTimer ??= setInterval(() => {
      if (this.stopping || this.reconnecting) return;
      this.health
        .run()
        .catch((e) => this.d.logger.log("error", `health pass failed: ${(e as Error).message}`));
    }, this.d.config.healthCheckInterval * 1000);
    this.healthTimer.unref?.();
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
          await sleep(Math.min(5000, 100 * 2 ** attempt));
        }
      }
      this.reconnecting = null;
    })();
  }

  /** Re-maps stored workers to the panes that carry their id; missing panes mean dead workers. */
  private async adopt(): Promise<void> {
    const panes = await this.ops.listPanes();
    const byWorker = new Map(panes.filter((p) => p.workerId).map((p) => [p.workerId!, p]));
    this.panes.clear();
    for (const w of this.d.store.workers.list()) {
      const plugin = this.d.plugins.get(w.type);
      const old = this.runtimes.get(w.name);
      old?.clearTimer();
      if (!plugin) {
        const why = this.d.plugins.refusal(w.type);
        this.d.store.workers.update(w.name, {
          state: "error",
          error: why ? `agent type "${w.type}" was not loaded: ${why}` : `unknown agent type "${w.type}"`,
        });
        continue;
      }
      const rt = new WorkerRuntime(w.id, w.name, plugin, readyPattern(plugin, this.startupContext(w)));
      rt.project = w.project;
      this.runtimes.set(w.name, rt);
      const pane = byWorker.get(w.id);
      if (!pane) {
        this.recreate(w, rt);
        continue;
      }
      if (pane.dead) {
        this.attachPane(rt, pane.paneId, pane.windowId);
        this.markDead(rt, describeExit(pane.deadStatus, pane.deadSignal));
        continue;
      }
      // not "starting": output replayed or arriving while this is decided must not make the
      // worker ready and dispatch its next task beside one still running from before
      rt.phase = "busy";
      this.attachPane(rt, pane.paneId, pane.windowId);
      // the pipe outlives the controller; reopening it would lose what it is writing now
      if (!pane.piped) ensurePrivateFile(workerLogPath(this.d.paths, w.name));
      if (!pane.piped) {
        await this.ops.pipeToFile(
          pane.paneId,
          workerLogPath(this.d.paths, w.name),
          this.masking.logFilter(w.name),
        );
      }
      const inFlight = this.d.store.tasks.list({ worker: w.name, status: ["dispatched", "running"] })[0];
      if (inFlight && plugin.detect.kind !== "marker") {
        // an interactive turn: its screen (read now) or its hook says when it ends
        rt.phase = "busy";
        rt.dispatchedAt = inFlight.submittedAt;
        rt.startedAt = inFlight.startedAt;
        this.turns.begin(rt, inFlight, { resumed: true });
        void this.readScreen(rt);
      } else if (inFlight) {
        this.flow.recover(rt, inFlight, workerLogPath(this.d.paths, w.name));
      } else {
        rt.phase = "ready";
        this.d.store.workers.update(w.name, { state: "idle", paneId: pane.paneId, currentTask: null });
        this.flow.pump(rt);
      }
      this.d.logger.log("info", "worker adopted", { worker: w.name, pane: pane.paneId });
    }
  }

  /**
   * A worker whose pane is gone with the tmux server (killed, crashed, a reboot): its tasks in
   * flight are finished from its log or requeued, and its agent starts again in a new window
   * (not counted by the restart intensity: the server died, not the agent). A worker given up
   * before, or automatic restarts turned off (maxRestarts 0), stays dead.
   */
  private recreate(w: Worker, rt: WorkerRuntime): void {
    const why = "its tmux pane is gone (the tmux server went away)";
    const logFile = rt.plugin.detect.kind === "marker" ? workerLogPath(this.d.paths, w.name) : null;
    for (const t of this.d.store.tasks.list({ worker: w.name, status: ["dispatched", "running"] })) {
      this.flow.recoverOrRequeue(rt, t, logFile, why);
    }
    if (w.state === "error") return;
    // started again now, not after reviveDelay
    this.markDead(rt, why, { reviveLater: false });
    if (this.d.config.maxRestarts === 0) return;
    this.d.logger.log("warn", "worker's pane is gone, starting it again", { worker: w.name });
    void this.revive(w.name, "tmux").then((r) => {
      if (!r.ok) this.d.logger.log("error", "worker not recreated", { worker: w.name, error: r.error });
    });
  }

  private attachPane(rt: WorkerRuntime, paneId: string, windowId: string): void {
    for (const chunk of this.panes.attach(rt, paneId, windowId)) this.onOutput(paneId, chunk);
    // the agent may have exited before its pane was known (a command that does not exist)
    const why = this.diedEarly.get(paneId);
    if (why !== undefined) {
      this.diedEarly.delete(paneId);
      this.markDead(rt, why);
    }
  }

  private startupContext(w: Pick<Worker, "name" | "project" | "type">): StartupContext {
    return makeStartupContext({
      workerName: w.name,
      project: w.project,
      dataDir: workerDataDir(this.d.paths, w.name),
      orchArgv: this.d.orchArgv,
      orchHome: this.d.paths.home,
      skipPermissions: this.d.config.skipPermissions.includes(w.type),
    });
  }

  // ---- workers -------------------------------------------------------------------------

  /** Spawns an agent of `type` in `project`, resolves once it is ready (or failed to be). */
  async addWorker(req: AddWorkerRequest): Promise<Outcome<Worker>> {
    const plugin = this.d.plugins.get(req.type);
    if (!plugin) {
      const why = this.d.plugins.refusal(req.type);
      return fail(
        "bad_input",
        why
          ? `agent type "${req.type}" is installed but was not loaded: ${why}`
          : `unknown agent type "${req.type}": expected one of ${this.d.plugins.names().join(", ")}`,
      );
    }
    const project = resolve(req.project);
    // a path with ESC, BEL or a newline would steer terminals wherever it is shown (status, logs)
    const control = lineControlCharacter(project);
    if (control) {
      return fail("bad_input", `project directory ${JSON.stringify(project)} contains ${control}: rename it`);
    }
    const notDir = wrongPathKind("project directory", req.project, "directory", project);
    if (notDir) return fail("bad_input", notDir);
    const name = req.name ?? this.nextName(req.type);
    const nameCheck = validateWorkerName(name);
    if (!nameCheck.ok) return fail("bad_input", nameCheck.error);
    if (this.d.store.workers.get(name)) return fail("conflict", `a worker named "${name}" already exists`);
    const live = this.d.store.workers.list().filter((w) => w.state !== "dead" && w.state !== "error");
    const room = canSpawnWorker(limitsFromConfig(this.d.config), live, { type: plugin.name, project });
    if (!room.ok) return fail("conflict", `${room.error}: remove a worker first`);
    let worktree: string | null = null;
    let workDir = project;
    if (req.worktree ?? this.d.config.worktree) {
      const made = await createWorkerWorktree(this.d.paths, name, project, req.worktree === undefined);
      if (!made.ok) return made;
      ({ worktree, project: workDir } = made.value);
      if (this.d.store.workers.get(name)) {
        // another add-worker took the name while git ran
        await this.removeWorktree(name, made.value.worktree);
        return fail("conflict", `a worker named "${name}" already exists`);
      }
      this.d.logger.log("info", "worktree made", {
        worker: name,
        worktree,
        branch: made.value.branch,
        repo: made.value.repo,
        reused: made.value.reused,
      });
    }
    const worker: Worker = {
      id: randomUUID(),
      name,
      type: plugin.name,
      project: workDir,
      worktree,
      state: "idle",
      paneId: null,
      currentTask: null,
      restarts: 0,
      createdAt: Date.now(),
      error: null,
    };
    this.d.store.workers.insert(worker);
    this.d.store.events.append(
      workerEvent("worker.added", name, {
        type: plugin.name,
        project: workDir,
        ...(worktree ? { worktree } : {}),
      }),
    );
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
    const bad = startupSpecError(spec);
    if (bad)
      return this.startFailed(worker.name, `plugin ${plugin.name}'s startup() returned a bad spec: ${bad}`);
    const skip = permissionSkipRefusal(
      plugin.name,
      [...spec.argv, ...(spec.runs ?? [])],
      this.d.config.skipPermissions,
    );
    // a refusal by the config (exit 2), recorded on the worker like any failed start
    if (skip) return { ...this.startFailed(worker.name, skip), code: "bad_input" } as Outcome<void>;
    if (!spec.ready && !plugin.detect.screen?.idle) {
      return this.startFailed(
        worker.name,
        `plugin ${plugin.name} gives no way to tell the agent is ready: startup().ready or detect.screen.idle`,
      );
    }
    mkdirSync(ctx.dataDir, { recursive: true, mode: 0o700 });
    try {
      for (const f of spec.files ?? []) {
        const file = isAbsolute(f.path) ? f.path : join(ctx.dataDir, f.path);
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        writeFileSync(file, f.content, { mode: f.mode ?? 0o600 });
      }
    } catch (e) {
      return this.startFailed(worker.name, `cannot seed the agent's files: ${(e as Error).message}`);
    }
    const rt = new WorkerRuntime(worker.id, worker.name, plugin, spec.ready);
    rt.project = worker.project;
    rt.inStart = true;
    const old = this.runtimes.get(worker.name);
    if (old?.paneId) this.panes.forget(old.paneId);
    old?.clearTimer();
    this.runtimes.set(worker.name, rt);
    const readyP = new Promise<boolean>((res) => rt.readyWaiters.push(res));
    const env = { ORCH_HOME: this.d.paths.home, ...spec.env };
    this.masking.addEnv(spec.env);
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
      ensurePrivateFile(workerLogPath(this.d.paths, worker.name));
      await this.ops.pipeToFile(
        rt.paneId!,
        workerLogPath(this.d.paths, worker.name),
        this.masking.logFilter(worker.name),
      );
    } catch (e) {
      // most often the agent exited at once (a command that does not exist, a bad flag)
      const pane = rt.paneId
        ? (await this.ops.listPanes().catch(() => [])).find((p) => p.paneId === rt.paneId)
        : undefined;
      if (pane?.dead) {
        rt.phase = "dead";
        const why = await this.exitedAtStart(pane.paneId, String(pane.deadStatus ?? "?"), spec.argv);
        return this.startFailed(worker.name, why);
      }
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
    rt.inStart = false;
    if (!ready) {
      if (rt.phase === "dead") {
        let status = /status (\S+)/.exec(rt.deathReason ?? "")?.[1] ?? "?";
        // a death seen through the pane_dead subscription carries no status: tmux still has it
        if (status === "?") {
          const pane = (await this.ops.listPanes().catch(() => [])).find((p) => p.paneId === rt.paneId);
          if (pane?.deadStatus !== undefined && pane.deadStatus !== null) status = String(pane.deadStatus);
        }
        return this.startFailed(worker.name, await this.exitedAtStart(rt.paneId!, status, spec.argv));
      }
      rt.phase = "dead";
      const screen = await this.ops.capture(rt.paneId!).catch(() => "");
      const tail = screen.trim().split("\n").slice(-6).join(" | ").slice(-500);
      return this.startFailed(
        worker.name,
        `agent not ready after ${this.d.config.workerStartupTimeout} s (WORKER_STARTUP_TIMEOUT)${tail ? `; its screen ends: ${tail}` : ""}`,
      );
    }
    this.d.logger.log("info", "worker ready", { worker: worker.name, pane: rt.paneId });
    return ok(undefined);
  }

  /** Why an agent exited while starting, with what it printed last. */
  private async exitedAtStart(paneId: string, status: string, argv: string[]): Promise<string> {
    const hint = status === "127" ? ` (command not found: ${argv[0]})` : "";
    // without tmux's own "Pane is dead (status 3, DATE)" line (remain-on-exit-format)
    const lines = (await this.ops.capture(paneId).catch(() => ""))
      .trim()
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("Pane is dead"));
    const screen = lines.slice(-3).join(" | ").slice(-300);
    return `the agent exited at once with status ${status}${hint}${screen ? `; it printed: ${screen}` : ""}`;
  }

  private startFailed(name: string, why: string): Outcome<never> {
    // it may quote the agent's screen
    const error = this.masking.text(name, why);
    this.d.store.workers.update(name, { state: "error", error });
    this.d.store.events.append(workerEvent("worker.error", name, { error }));
    this.d.logger.log("error", "worker failed to start", { worker: name, error });
    return fail("unavailable", `worker "${name}": ${error}`);
  }

  /**
   * Kills the worker's window and forgets it; its unfinished tasks are cancelled. Its git
   * worktree, if orch made one, is removed (its branch is kept); the worker is removed even
   * when that fails, and the answer says so.
   */
  async killWorker(name: string): Promise<Outcome<{ worktree: WorktreeRemoval | null }>> {
    const w = this.d.store.workers.get(name);
    if (!w) return this.unknownWorker(name);
    const rt = this.runtimes.get(name);
    rt?.clearTimer();
    this.health.forget(name);
    if (rt) {
      rt.phase = "dead";
      rt.settleWaiters(false);
      if (rt.paneId) this.panes.forget(rt.paneId);
    }
    this.runtimes.delete(name);
    if (rt?.paneId) await this.ops.killWindow(rt.paneId).catch(() => undefined);
    try {
      await rt?.plugin.cleanup?.(this.startupContext(w));
    } catch (e) {
      this.d.logger.log("warn", `plugin ${w.type} failed in cleanup`, { error: (e as Error).message });
    }
    const worktree = w.worktree ? await this.removeWorktree(name, w.worktree) : null;
    this.d.store.transaction(() => {
      this.flow.cancelUnfinished(name, `worker "${name}" was killed`);
      this.d.store.workers.remove(name);
      this.d.store.events.append(workerEvent("worker.killed", name, worktree ? { worktree } : {}));
    });
    this.d.logger.log("info", "worker killed", { worker: name });
    return ok({ worktree });
  }

  /** Removes a removed worker's worktree (keeping its branch) and logs what came of it. */
  private async removeWorktree(name: string, path: string): Promise<WorktreeRemoval> {
    const r = await removeWorkerWorktree(path, name);
    if (r.removed) {
      this.d.logger.log("info", `worktree ${path} removed; its branch ${r.branch} is kept`, { worker: name });
    } else {
      this.d.logger.log("warn", `worktree ${path} not removed: ${r.error}`, { worker: name });
    }
    return r;
  }

  /**
   * `orch revive`: a person restarts the worker, so the automatic restarts counted against it
   * so far (the restart intensity) start again from none.
   */
  reviveByHand(name: string): Promise<Outcome<Worker>> {
    this.health.forget(name);
    return this.revive(name, "hand");
  }

  /**
   * Restarts a worker's agent in its window (same type, project and name). `by` goes in the
   * `worker.revived` event: the restart intensity counts the "auto" ones.
   */
  revive(name: string, by: ReviveCause): Promise<Outcome<Worker>> {
    // a revive asked for while one runs (by hand during an automatic one) shares it
    const running = this.reviving.get(name);
    if (running) return running;
    const p = this.reviveNow(name, by).finally(() => this.reviving.delete(name));
    this.reviving.set(name, p);
    return p;
  }

  private async reviveNow(name: string, by: ReviveCause): Promise<Outcome<Worker>> {
    const w = this.d.store.workers.get(name);
    if (!w) return this.unknownWorker(name);
    const plugin = this.d.plugins.get(w.type);
    if (!plugin) {
      const why = this.d.plugins.refusal(w.type);
      return fail("bad_input", `unknown agent type "${w.type}" of worker "${name}"${why ? `: ${why}` : ""}`);
    }
    const rt = this.runtimes.get(name);
    if (rt?.currentTaskId) this.flow.fail(rt, rt.currentTaskId, "failed", `worker "${name}" was revived`);
    this.d.store.workers.update(name, { restarts: w.restarts + 1 });
    const paneAlive = rt?.paneId && (await this.ops.listPanes()).some((p) => p.paneId === rt.paneId);
    const r = await this.spawnAgent(w, plugin, paneAlive ? rt!.paneId! : undefined);
    if (!r.ok) return r;
    this.d.store.events.append(workerEvent("worker.revived", name, { by }));
    return ok(this.d.store.workers.get(name)!);
  }

  private unknownWorker(name: string): Outcome<never> {
    return fail(
      "not_found",
      unknownWorkerMessage(
        name,
        this.d.store.workers.list().map((w) => w.name),
      ),
    );
  }

  // ---- tasks ---------------------------------------------------------------------------

  /**
   * Runs a synchronous write (a send, a submit) in one commit with the others that arrive in
   * the same turn of the event loop; resolves once it is committed.
   */
  grouped<T>(fn: () => T): Promise<T> {
    return this.group.run(fn);
  }

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
    return ok(
      this.flow.enqueue(w.name, req.text, timeoutSec, this.runtimes.get(w.name), {
        maxRetries: req.retries ?? 0,
        rank: queueRank(DEFAULT_PRIORITY, Date.now(), this.d.config.priorityAging * 1000),
      }),
    );
  }

  /** Queues tasks for whichever workers fit them (`orch submit`); see {@link Scheduler.submit}. */
  submit(reqs: SubmitRequest[]): Outcome<Task[]> {
    return this.scheduler.submit(reqs);
  }

  /** Several groups of tasks, each accepted or refused whole; see {@link Scheduler.submitGroups}. */
  submitGroups(groups: SubmitRequest[][]): Outcome<Task[]>[] {
    return this.scheduler.submitGroups(groups);
  }

  /**
   * Calls `l` when a task of a workflow run is dispatched, and when any task reaches its final
   * status (after any retries); returns an unsubscribe.
   */
  onTask(l: TaskListener): () => void {
    this.taskListeners.add(l);
    return () => this.taskListeners.delete(l);
  }

  /**
   * Cancels a task: a queued one leaves the queue, one in flight is interrupted (the agent's
   * interrupt keys) and recorded as cancelled. A final task cannot be cancelled.
   */
  cancelTask(id: string, why: string): Outcome<Task> {
    const t = this.d.store.tasks.get(id);
    if (!t) return fail("not_found", `unknown task "${id}"`);
    if (isFinal(t.status)) return fail("conflict", `task ${id} is already ${t.status}`);
    const rt = t.worker ? this.runtimes.get(t.worker) : undefined;
    if (t.status !== "queued" && rt?.currentTaskId === id) {
      this.flow.fail(rt, id, "cancelled", why);
      this.flow.interrupt(rt);
    } else {
      const done = this.d.store.tasks.update(id, { status: "cancelled", error: why, finishedAt: Date.now() });
      if (done) this.flow.settled(done);
    }
    return ok(this.d.store.tasks.get(id)!);
  }

  /** The agent types that can be used now (built-in and user plugins). */
  agentTypes(): string[] {
    return this.d.plugins.names();
  }

  attemptsOf(id: string): TaskAttempt[] {
    return this.d.store.attempts.of(id);
  }

  getTask(id: string): Task | null {
    return this.d.store.tasks.get(id);
  }

  /** Resolves with the task once it is final, or as it is after `ms`. */
  waitTask(id: string, ms: number, known?: Task): Promise<Task | null> {
    const read = () => this.d.store.tasks.get(id);
    // a task just queued in this turn is not final yet: no need to read it back
    const t = known && !isFinal(known.status) ? known : read();
    if (!t || isFinal(t.status) || ms <= 0) return Promise.resolve(t);
    return this.waiters.wait(id, ms, read);
  }

  private onOutput(paneId: string, data: Uint8Array): void {
    const rt = this.panes.get(paneId);
    if (!rt) {
      this.panes.hold(paneId, data);
      return;
    }
    rt.lastOutputAt = Date.now();
    let text = rt.decode(data);
    if (rt.probe) {
      // a health probe is out: its answer, then (in `text`) the prompt that makes the worker ready
      const probe = rt.probe;
      probe.seen = (probe.seen + text).slice(-4096);
      const m = probe.expect.exec(probe.seen);
      if (!m) return;
      text = probe.seen.slice(m.index + m[0].length);
      rt.probe = null;
      rt.phase = "settling";
      probe.answered(true);
    }
    this.flow.onText(rt, text);
    // agents with screen rules: read the screen once the burst settles (never on a timer)
    if (rt.screenRules && !rt.screenTimer && rt.phase !== "dead") {
      rt.screenTimer = setTimeout(() => {
        rt.screenTimer = null;
        void this.readScreen(rt);
      }, SCREEN_DEBOUNCE_MS);
    }
  }

  /** Captures the worker's screen and hands what it shows to the turn flow. */
  private async readScreen(rt: WorkerRuntime): Promise<void> {
    const rules = rt.screenRules;
    if (!rules || !rt.paneId || rt.phase === "dead") return;
    let screen: string;
    try {
      screen = await this.ops.capture(rt.paneId);
    } catch {
      return; // the pane is gone; liveness reports it
    }
    this.turns.onScreen(rt, classifyScreen(screen, rules), screen);
  }

  // ---- agents' hooks and answers -------------------------------------------------------

  /** An agent's hook fired (`orch hook`): the plugin's rule says what it means. */
  hook(name: string, event: HookEvent): Outcome<void> {
    const rt = this.runtimes.get(name);
    if (!rt) return this.unknownWorker(name);
    this.turns.onHook(rt, event);
    return ok(undefined);
  }

  /** Answers the permission prompt on the worker's screen. */
  answer(name: string, decision: "approve" | "deny"): Outcome<void> {
    const rt = this.runtimes.get(name);
    if (!rt) return this.unknownWorker(name);
    if (!rt.plugin.approval)
      return fail("bad_input", `agent type "${rt.plugin.name}" has no permission prompts`);
    if (this.d.store.workers.get(name)?.state !== "waiting_input") {
      return fail("conflict", `worker "${name}" is not waiting for input`);
    }
    this.turns.answer(rt, decision);
    return ok(undefined);
  }

  /** Sends named keys (`Enter`, `C-c`, `1`, ...) to the worker's pane. */
  async sendKeys(name: string, keys: string[]): Promise<Outcome<void>> {
    const rt = this.runtimes.get(name);
    if (!rt) return this.unknownWorker(name);
    if (!rt.paneId || rt.phase === "dead") return fail("unavailable", `worker "${name}" has no live pane`);
    try {
      await this.ops.sendKeys(rt.paneId, keys);
      return ok(undefined);
    } catch (e) {
      return fail("bad_input", `tmux refused the keys ${keys.join(" ")}: ${(e as Error).message}`);
    }
  }

  // ---- liveness ------------------------------------------------------------------------

  /** A line from the pane-died hook: `pane-died %PANE STATUS SIGNAL`. */
  private onTmuxEvent(line: string): void {
    const died = parsePaneDiedLine(line);
    if (died) this.onPaneDied(died.paneId, describeExit(died.status, died.signal));
  }

  /** A pane's agent exited (from the hook, or the subscription to `pane_dead`). */
  private onPaneDied(paneId: string, why: string): void {
    const rt = this.panes.get(paneId);
    if (!rt) {
      if (this.diedEarly.size > 1000) this.diedEarly.clear();
      this.diedEarly.set(paneId, why);
      return;
    }
    if (rt.phase === "dead") return;
    this.markDead(rt, why);
  }

  private onNotification(n: TmuxNotification): void {
    if (n.type === "subscription-changed") {
      const d = parsePaneDeadValue(n.value);
      if (n.name === DEAD_SUBSCRIPTION && d.dead && n.paneId)
        this.onPaneDied(n.paneId, describeExit(d.status, d.signal));
      return;
    }
    if (n.type !== "window-close" && n.type !== "unlinked-window-close") return;
    for (const rt of this.runtimes.values()) {
      if (rt.windowId === n.windowId && rt.phase !== "dead") this.markDead(rt, "its tmux window was closed");
    }
  }

  /** Records a death: its tasks fail with `why`, a worker.dead event, and (unless told not to) a revive later. */
  private markDead(
    rt: WorkerRuntime,
    why: string,
    o: { reviveLater: boolean } = { reviveLater: true },
  ): void {
    // a death while starting is reported by the start itself (add-worker, or the revive that failed)
    const starting = rt.inStart;
    rt.phase = "dead";
    rt.deathReason = why;
    rt.settleWaiters(false);
    if (rt.currentTaskId) this.flow.fail(rt, rt.currentTaskId, "failed", `${why} before the task finished`);
    for (const t of this.d.store.tasks.list({ worker: rt.name, status: ["dispatched", "running"] })) {
      this.flow.fail(rt, t.id, "failed", `${why} before the task finished`);
    }
    this.d.store.workers.update(rt.name, { state: "dead", currentTask: null, error: why });
    this.d.store.events.append(workerEvent("worker.dead", rt.name, { reason: why }));
    this.d.logger.log("warn", "worker dead", { worker: rt.name, reason: why });
    if (o.reviveLater && !starting && !this.stopping) this.health.afterDeath(rt.name);
  }

  // ---- reading -------------------------------------------------------------------------

  workers(): Array<{ worker: Worker; ready: boolean }> {
    return this.d.store.workers
      .list()
      .map((w) => ({ worker: w, ready: this.runtimes.get(w.name)?.phase === "ready" }));
  }

  /** Tasks oldest first; with `limit`, the newest `limit` of them. */
  listTasks(opts: { worker?: string; limit?: number; runId?: string; status?: TaskStatus[] }): Task[] {
    const filter = {
      ...(opts.worker !== undefined ? { worker: opts.worker } : {}),
      ...(opts.runId !== undefined ? { runId: opts.runId } : {}),
      ...(opts.status !== undefined ? { status: opts.status } : {}),
    };
    if (!opts.limit) return this.d.store.tasks.list({ ...filter, order: "asc" });
    return this.d.store.tasks.list({ ...filter, limit: opts.limit, order: "desc" }).reverse();
  }

  async capture(name: string): Promise<Outcome<string>> {
    const rt = this.runtimes.get(name);
    if (!this.d.store.workers.get(name)) return this.unknownWorker(name);
    if (!rt?.paneId) return fail("unavailable", `worker "${name}" has no pane`);
    try {
      return ok(this.masking.text(name, await this.ops.capture(rt.paneId)));
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
    this.scheduler.close();
    this.monitor.stop();
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.health.stop();
    for (const rt of this.runtimes.values()) rt.clearTimer();
    this.events?.close();
    if (killWorkers) {
      this.client?.close();
      await killServer(this.d.paths.tmuxSocket);
      for (const w of this.d.store.workers.list())
        if (w.worktree) await this.removeWorktree(w.name, w.worktree);
      this.d.store.transaction(() => {
        for (const w of this.d.store.workers.list()) {
          this.flow.cancelUnfinished(w.name, "orch stop --kill-workers");
          this.d.store.workers.remove(w.name);
        }
      });
    } else {
      this.client?.close();
    }
    this.waiters.releaseAll();
  }
}
