import { accessSync, constants, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../domain/config.ts";
import { describeExit } from "../domain/exit-status.ts";
import { permissionSkipRefusal } from "../domain/permission-skip.ts";
import { errorMessage, fail, ok, type Result } from "../domain/result.ts";
import type { Worker } from "../domain/types.ts";
import type { AgentPlugin, StartupContext } from "../plugin/contract.ts";
import { makeStartupContext } from "../plugin/startup-context.ts";
import type { Store } from "../store/index.ts";
import { workerEvent } from "../store/index.ts";
import type { Logger } from "./logger.ts";
import type { Masking } from "./masking.ts";
import { NOTHING_SENT, SENT_OPTION } from "./pane-delivery.ts";
import type { OrchPaths } from "./paths.ts";
import { callStartup } from "./plugin-boundary.ts";
import { placeSeedFiles } from "./seed-files.ts";
import type { TmuxHost } from "./tmux-host.ts";
import type { TmuxHosts } from "./tmux-hosts.ts";
import { WorkerRuntime } from "./worker-runtime.ts";

export interface WorkerStartDeps {
  paths: OrchPaths;
  config: Config;
  store: Store;
  logger: Logger;
  masking: Masking;
  /** argv that runs this orch binary (agents' hooks call `orch hook` through it). */
  orchArgv: string[];
  hosts: TmuxHosts;
  /** The live workers by name; a start puts its runtime here. */
  runtimes: Map<string, WorkerRuntime>;
}

/**
 * Starts a worker's agent: the plugin's startup spec (through the plugin boundary), the
 * permission-skip guard, its seeded files, a new window (or the worker's old pane
 * respawned), the pane log, then the wait for the agent's ready sign. A start that fails is
 * recorded on the worker (state `error`) with the reason, and returned as the failure.
 */
export class WorkerStarter {
  /** Workers whose start is under way, from its first step (before their runtime exists). */
  private readonly starting = new Set<string>();

  constructor(private readonly d: WorkerStartDeps) {}

  /** Whether `name`'s start is under way: the start judges it, not the health pass. */
  isStarting(name: string): boolean {
    return this.starting.has(name);
  }

  /** What the worker's plugin is told when it starts (or its worker is adopted or killed). */
  context(w: Pick<Worker, "name" | "project" | "type" | "host">): StartupContext {
    const { place } = this.d.hosts.of(w);
    const home = place.agentHome();
    const hookArgv = place.hookArgv(w.name);
    return makeStartupContext({
      workerName: w.name,
      project: w.project,
      dataDir: place.dataDir(w.name),
      ...(home === null ? {} : { home }),
      // a host's agents tell of their hooks through orch's helper there
      ...(hookArgv === null ? {} : { hookArgv }),
      orchArgv: this.d.orchArgv,
      orchHome: this.d.paths.home,
      skipPermissions: this.d.config.skipPermissions.includes(w.type),
    });
  }

  /**
   * Resets the pane's delivery record (from now on it tells whether a task was submitted to
   * it: pane-delivery.ts) and opens its log, replacing a pipe a respawned pane kept (`-o` would
   * close that one: tmux toggles an open pipe).
   */
  private async prepare(paneId: string, worker: Worker): Promise<void> {
    const host = this.d.hosts.of(worker);
    await host.ops.setPaneOption(paneId, SENT_OPTION, NOTHING_SENT);
    await host.pipeLog(paneId, worker.name, this.d.masking.logFilter(worker.name), true);
  }

  /** Milliseconds an agent gets to become ready (WORKER_STARTUP_TIMEOUT). */
  get timeoutMs(): number {
    return this.d.config.workerStartupTimeout * 1000;
  }

  /** Seeds files, opens the window (or respawns `respawnPane`) and waits for the agent to be ready. */
  async start(worker: Worker, plugin: AgentPlugin, respawnPane?: string): Promise<Result<void>> {
    this.starting.add(worker.name);
    try {
      return await this.startNow(worker, plugin, respawnPane);
    } finally {
      this.starting.delete(worker.name);
    }
  }

  private async startNow(worker: Worker, plugin: AgentPlugin, respawnPane?: string): Promise<Result<void>> {
    const { store, logger, masking } = this.d;
    const host = this.d.hosts.of(worker);
    const ctx = this.context(worker);
    const started = await callStartup(plugin, ctx, this.timeoutMs);
    if (!started.ok) return this.failed(worker.name, started.error);
    const spec = started.value;
    const skip = permissionSkipRefusal(
      plugin.name,
      [...spec.argv, ...(spec.runs ?? [])],
      this.d.config.skipPermissions,
    );
    // a refusal by the config (exit 2), recorded on the worker like any failed start
    if (skip) return { ...this.failed(worker.name, skip), code: "bad_input" } as Result<void>;
    if (!spec.ready && !plugin.detect.screen?.idle) {
      return this.failed(
        worker.name,
        `plugin ${plugin.name} gives no way to tell the agent is ready: startup().ready or detect.screen.idle`,
      );
    }
    if (!host.remote) mkdirSync(ctx.dataDir, { recursive: true, mode: 0o700 });
    const files = await placeSeedFiles(plugin, host.place, ctx.dataDir, spec.files ?? []);
    if (!files.ok) return this.failed(worker.name, `cannot seed the agent's files: ${files.error}`);
    const seeded = await host.place.writeFiles(files.value);
    if (!seeded.ok) return this.failed(worker.name, `cannot seed the agent's files: ${seeded.error}`);
    const rt = new WorkerRuntime(worker.id, worker.name, plugin, spec.ready);
    rt.project = worker.project;
    rt.host = worker.host;
    rt.hostLabels = JSON.stringify(store.hosts.get(worker.host)?.labels ?? {});
    rt.inStart = true;
    const old = this.d.runtimes.get(worker.name);
    if (old?.paneId) host.forget(old.paneId);
    old?.clearTimer();
    this.d.runtimes.set(worker.name, rt);
    const readyP = new Promise<boolean>((res) => rt.readyWaiters.push(res));
    const env = { ORCH_HOME: this.d.paths.home, ...spec.env };
    masking.addEnv(spec.env);
    // the pane's options and its log are set before its output reaches the worker: no task can
    // be typed into it (the prompt makes it ready) before its log is open and its tag is reset
    let paneId = respawnPane ?? null;
    let windowId = old?.windowId ?? "";
    try {
      if (paneId) {
        // a death reported since the pane was let go was the old agent's (tmux pipes no dead pane:
        // the new agent is started first, its output and death held for the runtime meanwhile)
        host.dropEarlyDeath(paneId);
        await host.ops.respawnPane(paneId, { cwd: worker.project, argv: spec.argv, env });
        await this.prepare(paneId, worker);
        host.attach(rt, paneId, windowId);
      } else {
        ({ paneId, windowId } = await host.ops.newWindow({
          name: `${plugin.name}-${worker.name}`,
          cwd: worker.project,
          argv: spec.argv,
          env,
        }));
        await host.ops.setPaneOption(paneId, "@orch_worker", worker.id);
        await this.prepare(paneId, worker);
        host.attach(rt, paneId, windowId);
      }
    } catch (e) {
      // most often the agent exited at once (a command that does not exist, a bad flag)
      if (paneId && !rt.paneId) host.attach(rt, paneId, windowId);
      const pane = paneId ? await host.settledPane(paneId) : undefined;
      if (pane?.dead) {
        rt.phase = "dead";
        return this.failed(
          worker.name,
          await this.exitedAtStart(
            host,
            pane.paneId,
            describeExit(pane.deadStatus, pane.deadSignal),
            spec.argv,
          ),
        );
      }
      return this.failed(worker.name, `cannot start the agent: ${errorMessage(e)}`);
    }
    store.workers.update(worker.name, { paneId: rt.paneId, state: "idle", error: null, currentTask: null });
    const timer = setTimeout(() => rt.settleWaiters(false), this.timeoutMs);
    const ready = await readyP;
    clearTimeout(timer);
    rt.inStart = false;
    if (!ready) return this.notReady(worker, rt, spec.argv);
    logger.log("info", "worker ready", { worker: worker.name, pane: rt.paneId });
    return ok(undefined);
  }

  /** Why an agent that was waited for did not become ready: it died, a plugin failed, or time ran out. */
  private async notReady(worker: Worker, rt: WorkerRuntime, argv: string[]): Promise<Result<void>> {
    const host = this.d.hosts.of(worker);
    if (rt.phase === "dead") {
      // what tmux still holds of the dead pane; the death's own report may have carried none
      const pane = await host.settledPane(rt.paneId!);
      const told = pane?.dead ? describeExit(pane.deadStatus, pane.deadSignal) : null;
      const why = told && !told.endsWith("status ?") ? told : (rt.deathReason ?? describeExit(null, null));
      return this.failed(worker.name, await this.exitedAtStart(host, rt.paneId!, why, argv));
    }
    rt.phase = "dead";
    if (rt.startError) return this.failed(worker.name, rt.startError);
    const screen = await host.ops.capture(rt.paneId!).catch(() => "");
    const tail = screen.trim().split("\n").slice(-6).join(" | ").slice(-500);
    return this.failed(
      worker.name,
      `agent not ready after ${this.d.config.workerStartupTimeout} s (WORKER_STARTUP_TIMEOUT)${tail ? `; its screen ends: ${tail}` : ""}`,
    );
  }

  /**
   * Why an agent ended while starting (`why` as describeExit words it: "agent exited with
   * status 3", "agent killed by signal 9 (SIGKILL)"), with what it printed last.
   */
  private async exitedAtStart(host: TmuxHost, paneId: string, why: string, argv: string[]): Promise<string> {
    // 127: the shell tmux ran found no such command; a status tmux did not record (under load
    // tmux 3.3a may record none) is looked up here, for an agent on this machine
    const notFound =
      why.endsWith("status 127") ||
      (why.endsWith("status ?") && !host.remote && argv[0] !== undefined && !commandExists(argv[0]));
    const hint = notFound ? ` (command not found: ${argv[0]})` : "";
    // without tmux's own "Pane is dead (status 3, DATE)" line (remain-on-exit-format)
    const lines = (await host.ops.capture(paneId).catch(() => ""))
      .trim()
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("Pane is dead"));
    const screen = lines.slice(-3).join(" | ").slice(-300);
    const ended = why.replace(/^agent (exited|killed)/, "the agent $1 at once");
    return `${ended}${hint}${screen ? `; it printed: ${screen}` : ""}`;
  }

  /** Records a failed start on the worker (state error, an event, a log line) and returns the failure. */
  failed(name: string, why: string): Result<never> {
    // it may quote the agent's screen
    const error = this.d.masking.text(name, why);
    this.d.store.workers.update(name, { state: "error", error });
    this.d.store.events.append(workerEvent("worker.error", name, { error }));
    this.d.logger.log("error", "worker failed to start", { worker: name, error });
    return fail("unavailable", `worker "${name}": ${error}`);
  }
}

/** Whether `cmd` names a program this machine can run: a path that is executable, or a name on PATH. */
function commandExists(cmd: string): boolean {
  const runs = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (cmd.includes("/")) return runs(cmd);
  return (process.env.PATH ?? "").split(":").some((dir) => dir !== "" && runs(join(dir, cmd)));
}
