import { randomUUID } from "node:crypto";
import { isAbsolute, resolve } from "node:path";
import type { Config } from "../domain/config.ts";
import { canSpawnWorker, limitsFromConfig } from "../domain/limits.ts";
import { lineControlCharacter, validateWorkerName } from "../domain/names.ts";
import { fail, ok, type Result } from "../domain/result.ts";
import type { Worker } from "../domain/types.ts";
import { unknownWorkerMessage } from "../domain/unknown-worker.ts";
import { LOCAL_HOST } from "../hosts/local-host.ts";
import type { PluginRegistry } from "../plugin/registry.ts";
import type { Store } from "../store/index.ts";
import { workerEvent } from "../store/index.ts";
import { wrongPathKind } from "../store/path-kind.ts";
import type { Logger } from "./logger.ts";
import type { OrchPaths } from "./paths.ts";
import { callCleanup } from "./plugin-boundary.ts";
import type { TaskFlow } from "./task-flow.ts";
import type { TmuxHosts } from "./tmux-hosts.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";
import type { WorkerStarter } from "./worker-start.ts";
import { createWorkerWorktree, removeWorkerWorktree, type WorktreeRemoval } from "./worker-worktree.ts";

/**
 * Who asked for a revive (in the `worker.revived` event): the health loop ("auto", counted by
 * the restart intensity), a person, a resource limit, or a lost tmux server.
 */
export type ReviveCause = "auto" | "hand" | "limit" | "tmux";

export interface AddWorkerRequest {
  type: string;
  project: string;
  name?: string;
  /** A git worktree of its own (true), none (false), or as the config's `worktree` says. */
  worktree?: boolean;
  /** The host to run it on (`local`, the default, or one added with `orch host add`). */
  host?: string;
}

export interface WorkerLifecycleDeps {
  paths: OrchPaths;
  config: Config;
  store: Store;
  plugins: PluginRegistry;
  logger: Logger;
  hosts: TmuxHosts;
  runtimes: Map<string, WorkerRuntime>;
  starter: WorkerStarter;
  flow: TaskFlow;
  /** Forgets the automatic restarts counted against a worker (it was removed or revived by hand). */
  forgetRestarts(name: string): void;
}

/** What `orch revive` did: restarted the agent (`revived`), or nothing, saying why (`note`). */
export interface HandRevive {
  worker: Worker;
  revived: boolean;
  note?: string;
}

/** Why a task ends when `orch revive --force` restarts its worker under it. */
export const FORCED_REVIVE_REASON = "worker revived by the user (--force)";

/** How long a plugin's cleanup() may take when its worker is killed. */
const CLEANUP_TIMEOUT_MS = 10_000;

/** Adds, kills and revives workers: their rows, windows, worktrees and the plugin's cleanup. */
export class WorkerLifecycle {
  private readonly reviving = new Map<string, Promise<Result<Worker>>>();
  private readonly handRevives = new Map<string, Promise<Result<HandRevive>>>();

  constructor(private readonly d: WorkerLifecycleDeps) {}

  /** Spawns an agent of `type` in `project`, resolves once it is ready (or failed to be). */
  async add(req: AddWorkerRequest): Promise<Result<Worker>> {
    const { store, plugins, config } = this.d;
    const plugin = plugins.get(req.type);
    if (!plugin) {
      const why = plugins.refusal(req.type);
      return fail(
        "bad_input",
        why
          ? `agent type "${req.type}" is installed but was not loaded: ${why}`
          : `unknown agent type "${req.type}": expected one of ${plugins.names().join(", ")}`,
      );
    }
    const hostName = req.host ?? LOCAL_HOST;
    const where = await this.placeOn(hostName, req);
    if (!where.ok) return where;
    const project = where.value;
    const name = req.name ?? this.nextName(req.type);
    const nameCheck = validateWorkerName(name);
    if (!nameCheck.ok) return nameCheck;
    if (store.workers.get(name)) return fail("conflict", `a worker named "${name}" already exists`);
    // the limits hold per host: maxWorkers (or the host's own --max-workers) on each
    const live = store.workers
      .list()
      .filter((w) => w.state !== "dead" && w.state !== "error" && w.host === hostName);
    const maxWorkers = store.hosts.get(hostName)?.maxWorkers ?? config.maxWorkers;
    const room = canSpawnWorker({ ...limitsFromConfig(config), maxWorkers }, live, {
      type: plugin.name,
      project,
    });
    if (!room.ok)
      return fail(
        "conflict",
        `${room.error}${hostName === LOCAL_HOST ? "" : ` on host ${hostName}`}: remove a worker first`,
      );
    let worktree: string | null = null;
    let workDir = project;
    if (hostName === LOCAL_HOST && (req.worktree ?? config.worktree)) {
      const made = await createWorkerWorktree(this.d.paths, name, project, req.worktree === undefined);
      if (!made.ok) return made;
      ({ worktree, project: workDir } = made.value);
      if (store.workers.get(name)) {
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
      host: hostName,
    };
    store.workers.insert(worker);
    store.events.append(
      workerEvent("worker.added", name, {
        type: plugin.name,
        project: workDir,
        ...(worktree ? { worktree } : {}),
      }),
    );
    const started = await this.d.starter.start(worker, plugin);
    if (!started.ok) return started;
    return ok(store.workers.get(name)!);
  }

  /**
   * The project directory a new worker runs in on its host: checked here for this machine; on
   * a host reached over ssh it must be an absolute path that is a directory there.
   */
  private async placeOn(hostName: string, req: AddWorkerRequest): Promise<Result<string>> {
    const remote = hostName !== LOCAL_HOST;
    if (remote && !this.d.store.hosts.get(hostName)) {
      const known = [LOCAL_HOST, ...this.d.store.hosts.list().map((h) => h.name)];
      return fail("not_found", `no host named "${hostName}" (hosts: ${known.join(", ")})`);
    }
    const project = remote ? req.project : resolve(req.project);
    // a path with ESC, BEL or a newline would steer terminals wherever it is shown (status, logs)
    const control = lineControlCharacter(project);
    if (control) {
      return fail("bad_input", `project directory ${JSON.stringify(project)} contains ${control}: rename it`);
    }
    if (!remote) {
      const notDir = wrongPathKind("project directory", req.project, "directory", project);
      return notDir ? fail("bad_input", notDir) : ok(project);
    }
    if (!isAbsolute(project))
      return fail(
        "bad_input",
        `project directory "${project}": expected an absolute path on host ${hostName}`,
      );
    if (req.worktree)
      return fail("bad_input", `--worktree: not yet for workers on another host (${hostName})`);
    const host = this.d.hosts.of(hostName);
    if (!host.online)
      return fail("unavailable", `host ${hostName} is offline now (orch host show ${hostName} says why)`);
    const notDir = await host.place.checkDir(project);
    return notDir ? fail("bad_input", `${notDir} on host ${hostName}`) : ok(project);
  }

  private nextName(type: string): string {
    const taken = new Set(this.d.store.workers.list().map((w) => w.name));
    for (let i = 1; ; i++) if (!taken.has(`${type}-${i}`)) return `${type}-${i}`;
  }

  /**
   * Kills the worker's window and forgets it; its unfinished tasks are cancelled. Its git
   * worktree, if orch made one, is removed (its branch is kept); the worker is removed even
   * when that fails, and the answer says so.
   */
  async kill(name: string): Promise<Result<{ worktree: WorktreeRemoval | null }>> {
    const { store, logger, flow } = this.d;
    const w = store.workers.get(name);
    if (!w) return this.unknownWorker(name);
    const host = this.d.hosts.of(w);
    const rt = this.d.runtimes.get(name);
    rt?.clearTimer();
    this.d.forgetRestarts(name);
    if (rt) {
      rt.phase = "dead";
      rt.scanner?.sink?.discard(); // a task output file begun: the task is cancelled below
      rt.settleWaiters(false);
      if (rt.paneId) host.forget(rt.paneId);
    }
    this.d.runtimes.delete(name);
    if (rt?.paneId) await host.ops.killWindow(rt.paneId).catch(() => undefined);
    if (rt) {
      const cleaned = await callCleanup(rt.plugin, this.d.starter.context(w), CLEANUP_TIMEOUT_MS);
      if (!cleaned.ok) logger.log("warn", cleaned.error, { worker: name });
    }
    const worktree = w.worktree ? await this.removeWorktree(name, w.worktree) : null;
    store.transaction(() => {
      flow.cancelUnfinished(name, `worker "${name}" was killed`);
      store.workers.remove(name);
      store.events.append(workerEvent("worker.killed", name, worktree ? { worktree } : {}));
    });
    logger.log("info", "worker killed", { worker: name });
    return ok({ worktree });
  }

  /** Removes a removed worker's worktree (keeping its branch) and logs what came of it. */
  async removeWorktree(name: string, path: string): Promise<WorktreeRemoval> {
    const r = await removeWorkerWorktree(path, name);
    if (r.removed) {
      this.d.logger.log("info", `worktree ${path} removed; its branch ${r.branch} is kept`, { worker: name });
    } else {
      this.d.logger.log("warn", `worktree ${path} not removed: ${r.error}`, { worker: name });
    }
    return r;
  }

  /**
   * Restarts a worker's agent in its window (same type, project and name). `by` goes in the
   * `worker.revived` event: the restart intensity counts the "auto" ones.
   */
  revive(name: string, by: ReviveCause): Promise<Result<Worker>> {
    // a revive asked for while one runs (by hand during an automatic one) shares it
    const running = this.reviving.get(name);
    if (running) return running;
    const p = this.reviveNow(name, by).finally(() => this.reviving.delete(name));
    this.reviving.set(name, p);
    return p;
  }

  /**
   * `orch revive [--force]`. Requests for one worker while one is answered share its answer
   * (one restart). A healthy idle worker is left as it is (`revived: false`); a worker on a task
   * is refused (conflict, naming the task) unless `force`: the task then ends with
   * {@link FORCED_REVIVE_REASON}, retried if its policy says so. A restart by hand starts the
   * count of automatic restarts again.
   */
  reviveByHand(name: string, force: boolean): Promise<Result<HandRevive>> {
    const pending = this.handRevives.get(name);
    if (pending) return pending;
    const p = this.decideHandRevive(name, force).finally(() => this.handRevives.delete(name));
    this.handRevives.set(name, p);
    return p;
  }

  private async decideHandRevive(name: string, force: boolean): Promise<Result<HandRevive>> {
    const w = this.d.store.workers.get(name);
    if (!w) return this.unknownWorker(name);
    const rt = this.d.runtimes.get(name);
    // an automatic revive under way is joined as it is
    if (!force && !this.reviving.has(name)) {
      const task = rt?.currentTaskId ?? w.currentTask;
      if (task) {
        return fail(
          "conflict",
          `worker "${name}" is running task ${task}: a revive would end it; wait for it, cancel it (orch cancel ${task}), or revive with --force`,
        );
      }
      if (await this.healthyIdle(name)) {
        const note = `worker "${name}" is idle and its agent is alive: nothing to revive (--force restarts it anyway)`;
        return ok({ worker: this.d.store.workers.get(name) ?? w, revived: false, note });
      }
    }
    this.d.forgetRestarts(name);
    const r = await this.revive(name, "hand");
    return r.ok ? ok({ worker: r.value, revived: true }) : r;
  }

  /** The worker is idle (started, on no task) and its pane's agent is alive by tmux's account. */
  private async healthyIdle(name: string): Promise<boolean> {
    const rt = this.d.runtimes.get(name);
    if (!rt?.paneId || rt.phase === "starting" || rt.phase === "dead" || rt.currentTaskId) return false;
    if (this.d.store.workers.get(name)?.state !== "idle") return false;
    const pane = await this.d.hosts.of(rt).pane(rt.paneId);
    return pane !== undefined && !pane.dead && this.d.store.workers.get(name)?.state === "idle";
  }

  private async reviveNow(name: string, by: ReviveCause): Promise<Result<Worker>> {
    const { store, plugins } = this.d;
    const w = store.workers.get(name);
    if (!w) return this.unknownWorker(name);
    const plugin = plugins.get(w.type);
    if (!plugin) {
      const why = plugins.refusal(w.type);
      return fail("bad_input", `unknown agent type "${w.type}" of worker "${name}"${why ? `: ${why}` : ""}`);
    }
    const rt = this.d.runtimes.get(name);
    if (rt?.currentTaskId) {
      const why = by === "hand" ? FORCED_REVIVE_REASON : `worker "${name}" was revived`;
      this.d.flow.fail(rt, rt.currentTaskId, "failed", why);
    }
    store.workers.update(name, { restarts: w.restarts + 1 });
    const paneAlive = rt?.paneId ? (await this.d.hosts.of(w).pane(rt.paneId)) !== undefined : false;
    const r = await this.d.starter.start(w, plugin, paneAlive ? rt!.paneId! : undefined);
    if (!r.ok) return r;
    store.events.append(workerEvent("worker.revived", name, { by }));
    return ok(store.workers.get(name)!);
  }

  /** The failure for a worker name that is not known, naming the workers that are. */
  unknownWorker(name: string): Result<never> {
    const names = this.d.store.workers.list().map((w) => w.name);
    return fail("not_found", unknownWorkerMessage(name, names));
  }
}
