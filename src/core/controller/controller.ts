import { mkdirSync } from "node:fs";
import type { Config } from "../domain/config.ts";
import type { Result } from "../domain/result.ts";
import { retryPolicyFromConfig } from "../domain/retry.ts";
import type { OrchEvent, Task, TaskAttempt, TaskStatus, Worker } from "../domain/types.ts";
import { LOCAL_HOST } from "../hosts/local-host.ts";
import type { MarkerSpec } from "../plugin/contract.ts";
import type { PluginRegistry } from "../plugin/registry.ts";
import type { IdIndex, Store } from "../store/index.ts";
import type { TransportFactory } from "../tmux/transport.ts";
import { adoptWorkers } from "./adoption.ts";
import { EventFeed } from "./event-feed.ts";
import { GroupCommit } from "./group-commit.ts";
import { HealthLoop } from "./health-loop.ts";
import { HealthPass, type WorkerHealth } from "./health-pass.ts";
import type { Housekeeping } from "./housekeeping.ts";
import { Liveness } from "./liveness.ts";
import type { Logger } from "./logger.ts";
import { type Masking, NO_MASKING } from "./masking.ts";
import type { OrphanSettings } from "./orphans.ts";
import { PaneReader } from "./pane-reader.ts";
import { type OrchPaths, workerLogPath } from "./paths.ts";
import { probeWorker } from "./probe.ts";
import { schedulerHosts, tmuxHosts } from "./remote-hosts.ts";
import { Scheduler, type SubmitRequest } from "./scheduler.ts";
import { StoreStall, stallAware } from "./store-stall.ts";
import { type SendRequest, TaskDesk } from "./task-desk.ts";
import { TaskFlow } from "./task-flow.ts";
import { outputKeeping } from "./task-output.ts";
import { TaskWaiters } from "./task-waiters.ts";
import type { TmuxHost } from "./tmux-host.ts";
import type { TmuxHosts } from "./tmux-hosts.ts";
import { TurnFlow } from "./turn-flow.ts";
import { WorkerDesk } from "./worker-desk.ts";
import { type AddWorkerRequest, type HandRevive, WorkerLifecycle } from "./worker-lifecycle.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";
import { WorkerStarter } from "./worker-start.ts";
import type { WorktreeRemoval } from "./worker-worktree.ts";

export type { SendRequest } from "./task-desk.ts";
export type { AddWorkerRequest, ReviveCause } from "./worker-lifecycle.ts";

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
  /** What the first connect does with panes no stored worker owns, and what came of them. */
  orphans?: OrphanSettings;
}

/** Told of a task's progress: `dispatched` (run tasks only) or `final`. */
export type TaskListener = (t: Task, what: "dispatched" | "final") => void;

/** Start marker prefix of the completion protocol (the end marker's is configurable). */
const START_PREFIX = "---START-OF-OUTPUT-";

/**
 * The controller: the only writer of tmux and of the store. It puts the parts together (the
 * tmux host, the task and turn flows, the scheduler, worker start/kill/revive, adoption,
 * liveness, the health pass) and answers the API. It reacts to tmux's events, never polls panes.
 */
export class Controller {
  readonly startedAt = Date.now();
  private readonly runtimes = new Map<string, WorkerRuntime>();
  private readonly waiters = new TaskWaiters();
  /** The tmux servers: this machine's, and one per host over ssh (their channels: HostDesk's). */
  readonly hosts: TmuxHosts;
  private readonly flow: TaskFlow;
  private readonly turns: TurnFlow;
  readonly scheduler: Scheduler;
  private readonly loop: HealthLoop;
  /** Listeners told when a task is dispatched and when it reaches its final status. */
  private readonly taskListeners = new Set<TaskListener>();
  private readonly group: GroupCommit;
  private readonly health: HealthPass;
  private readonly feed: EventFeed;
  private readonly liveness: Liveness;
  private readonly starter: WorkerStarter;
  private readonly lifecycle: WorkerLifecycle;
  private readonly desk: TaskDesk;
  /** What the API asks of one worker's pane: hooks, prompt answers, keys, its screen and log. */
  readonly workerDesk: WorkerDesk;
  private readonly reader: PaneReader;
  private stopping = false;
  private readonly masking: Masking;
  /** Why the store takes no writes now (API writes are refused until it does). */
  readonly stall: StoreStall;

  constructor(private readonly d: ControllerDeps) {
    const { paths, config, store, logger } = d;
    this.masking = d.masking ?? NO_MASKING;
    this.group = new GroupCommit((fn) => store.transaction(fn));
    // a failed commit stops writes; once the store takes them again, all is read again
    const stalled = () => this.waiters.releaseAll();
    // after a stall every host that is up is adopted again
    const resync = async () => {
      for (const h of this.hosts.all()) if (h.online) await this.connected(h);
    };
    this.stall = new StoreStall({ store, logger, resync, stalled });
    const events = stallAware(this.stall, {
      output: (rt, data) => this.reader.onOutput(rt, data),
      paused: (rt) => this.reader.onPaused(rt),
      paneDied: (rt, why) => this.liveness.exited(rt, why),
      windowClosed: (rt) => rt.phase !== "dead" && this.liveness.markDead(rt, "its tmux window was closed"),
      connected: (host) => this.connected(host),
      around: (handle) => this.reader.around(handle),
    });
    this.hosts = tmuxHosts({
      ...{ paths, config, logger, events, transport: d.transport, viewArgv: d.viewArgv },
      masking: this.masking,
      hooks: { hostOf: (w) => store.workers.get(w)?.host, hook: (w, e) => this.workerDesk.hook(w, e) },
    });
    const logOf = (rt: WorkerRuntime) => workerLogPath(paths, rt.name);
    const markers: MarkerSpec = {
      startPrefix: START_PREFIX,
      endPrefix: config.endMarkerPrefix,
      suffix: config.endMarkerSuffix,
    };
    this.flow = new TaskFlow({
      store,
      logger,
      markers,
      nonces: true,
      waiters: this.waiters,
      ops: (rt) => this.hosts.of(rt).ops,
      retry: retryPolicyFromConfig(config),
      onFinal: (t) => {
        for (const l of this.taskListeners) l(t, "final");
      },
      onDispatched: (t) => {
        for (const l of this.taskListeners) l(t, "dispatched");
      },
      wakeAt: (at) => this.scheduler.wakeAt(at),
      outputs: outputKeeping(config.maxOutputBytes, paths, this.masking),
      logFile: logOf,
      deadPane: (rt) => this.liveness.deadByTmux(rt, this.hosts.of(rt)),
      away: (rt) => !this.hosts.of(rt).online,
    });
    this.turns = new TurnFlow({
      store,
      logger,
      waiters: this.waiters,
      ops: (rt) => this.hosts.of(rt).ops,
      flow: this.flow,
      approvalPolicy: config.approvalPolicy,
      readScreen: (rt) => this.reader.readScreen(rt),
      rateLimitBackoffMs: config.rateLimitBackoff * 1000,
    });
    this.flow.turns = this.turns;
    this.scheduler = new Scheduler({
      store,
      config,
      logger,
      flow: this.flow,
      runtimes: () => this.runtimes.values(),
      pluginNames: () => d.plugins.names(),
      // no worktree: a worker in one would not be in the project its pool tasks ask for
      spawn: (type, project, host) => this.addWorker({ type, project, worktree: false, host }),
      hosts: () => schedulerHosts(store, config, this.hosts),
    });
    this.feed = new EventFeed(store.events);
    this.health = new HealthPass({
      ...{ store, config, logger },
      runtime: (name) => this.runtimes.get(name),
      starting: (name) => this.starter.isStarting(name),
      panesOn: (name) => this.hosts.panesOn(name),
      revive: (name, by) => this.lifecycle.revive(name, by),
      probe: (name) => probeWorker(this.runtimes.get(name), this.hosts),
      markDead: (name, reason) => {
        const rt = this.runtimes.get(name);
        if (rt && rt.phase !== "dead") this.liveness.markDead(rt, reason);
      },
    });
    const parts = { paths, config, store, logger, hosts: this.hosts, runtimes: this.runtimes };
    this.loop = new HealthLoop({
      ...parts,
      masking: this.masking,
      paused: () => this.stall.fault !== null,
      health: this.health,
      restart: (worker) => this.lifecycle.revive(worker, "limit"),
      kill: (worker) => this.lifecycle.kill(worker),
    });
    this.liveness = new Liveness({
      store,
      logger,
      flow: this.flow,
      afterDeath: (name) => this.health.afterDeath(name),
      stopping: () => this.stopping,
    });
    this.starter = new WorkerStarter({ ...parts, masking: this.masking, orchArgv: d.orchArgv });
    this.lifecycle = new WorkerLifecycle({
      ...parts,
      plugins: d.plugins,
      starter: this.starter,
      flow: this.flow,
      forgetRestarts: (name) => this.health.forget(name),
    });
    this.desk = new TaskDesk({
      store,
      config,
      flow: this.flow,
      waiters: this.waiters,
      runtimes: this.runtimes,
      unknownWorker: (name) => this.lifecycle.unknownWorker(name),
    });
    this.workerDesk = new WorkerDesk({
      ...parts,
      masking: this.masking,
      turns: this.turns,
      unknownWorker: (name) => this.lifecycle.unknownWorker(name),
    });
    this.reader = new PaneReader({
      ...parts,
      host: (rt) => this.hosts.of(rt),
      flow: this.flow,
      turns: this.turns,
      logOf,
    });
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

  /** Brings up tmux, connects, adopts the panes it finds and starts following pane deaths. */
  async start(): Promise<void> {
    for (const dir of [this.d.paths.logsDir, this.d.paths.runDir, this.d.paths.workersDir]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
    await this.hosts.local.start();
  }

  /** A host's tmux link is up (at start or after a reconnect): adopt its workers, then the timers. */
  private async connected(host: TmuxHost): Promise<void> {
    await adoptWorkers(
      {
        ...this.d,
        masking: this.masking,
        runtimes: this.runtimes,
        starter: this.starter,
        flow: this.flow,
        turns: this.turns,
        liveness: this.liveness,
        revive: (name, by) => this.lifecycle.revive(name, by),
        readScreen: (rt) => this.reader.readScreen(rt),
      },
      host,
    );
    const wake = this.d.store.tasks.nextWake(Date.now());
    if (wake !== null) this.scheduler.wakeAt(wake);
    this.loop.start();
  }

  // ---- workers -------------------------------------------------------------------------

  /** Spawns an agent of `type` in `project`, resolves once it is ready (or failed to be). */
  addWorker(req: AddWorkerRequest): Promise<Result<Worker>> {
    return this.lifecycle.add(req);
  }

  /** Kills the worker's window and forgets it; see {@link WorkerLifecycle.kill}. */
  killWorker(name: string): Promise<Result<{ worktree: WorktreeRemoval | null }>> {
    return this.lifecycle.kill(name);
  }

  /** `orch revive [--force]`; see {@link WorkerLifecycle.reviveByHand}. */
  reviveByHand(name: string, force = false): Promise<Result<HandRevive>> {
    return this.lifecycle.reviveByHand(name, force);
  }

  // ---- tasks ---------------------------------------------------------------------------

  /** Runs a synchronous write (a send, a submit) in one commit with the others of this event-loop turn. */
  grouped<T>(fn: () => T): Promise<T> {
    return this.stall.fault ? Promise.reject(this.stall.fault) : this.group.run(fn);
  }

  /** Queues a task on one worker's FIFO and starts it if the worker is free. */
  send(req: SendRequest): Result<Task> {
    return this.desk.send(req);
  }

  /** Queues tasks for whichever workers fit them (`orch submit`); see {@link Scheduler.submit}. */
  submit(reqs: SubmitRequest[]): Result<Task[]> {
    return this.scheduler.submit(reqs);
  }

  /** Several groups of tasks, each accepted or refused whole; see {@link Scheduler.submitGroups}. */
  submitGroups(groups: SubmitRequest[][]): Result<Task[]>[] {
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

  /** Cancels a task; see {@link TaskDesk.cancel}. */
  cancelTask(id: string, why: string): Result<Task> {
    return this.desk.cancel(id, why);
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

  /** Task ids by prefix and their short forms (see id-keys.ts). */
  taskIds(): IdIndex {
    return this.d.store.tasks.ids;
  }

  /** Resolves with the task once it is final, or as it is after `ms`. */
  waitTask(id: string, ms: number, known?: Task): Promise<Task | null> {
    return this.desk.wait(id, ms, known);
  }

  // ---- reading -------------------------------------------------------------------------

  workers(): Array<{ worker: Worker; ready: boolean }> {
    return this.d.store.workers
      .list()
      .map((w) => ({ worker: w, ready: this.runtimes.get(w.name)?.phase === "ready" }));
  }

  /** Tasks oldest first; with `limit`, the newest `limit` of them. */
  listTasks(opts: { worker?: string; limit?: number; runId?: string; status?: TaskStatus[] }): Task[] {
    return this.desk.list(opts);
  }

  /** Disk use: `orch prune`, the files of task outputs (see {@link Housekeeping}). */
  get housekeeping(): Housekeeping {
    return this.loop.housekeeping;
  }

  /** Stops reacting and disconnects; agents keep running unless `killWorkers`. */
  async shutdown(killWorkers: boolean): Promise<void> {
    this.stopping = true;
    this.stall.close();
    this.scheduler.close();
    this.loop.stop();
    for (const rt of this.runtimes.values()) rt.clearTimer();
    if (killWorkers) {
      // a host's agents go with their windows (its tmux server is left running there)
      for (const rt of this.runtimes.values())
        if (rt.host !== LOCAL_HOST && rt.paneId)
          await this.hosts
            .of(rt)
            .ops.killWindow(rt.paneId)
            .catch(() => undefined);
      await this.hosts.local.kill();
      for (const w of this.d.store.workers.list())
        if (w.worktree) await this.lifecycle.removeWorktree(w.name, w.worktree);
      this.d.store.transaction(() => {
        for (const w of this.d.store.workers.list()) {
          this.flow.cancelUnfinished(w.name, "orch stop --kill-workers");
          this.d.store.workers.remove(w.name);
        }
      });
    } else {
      this.hosts.local.close();
    }
    this.waiters.releaseAll();
  }
}
