import type { Config } from "../domain/config.ts";
import { describeExit } from "../domain/exit-status.ts";
import type { Result } from "../domain/result.ts";
import type { Worker } from "../domain/types.ts";
import type { PluginRegistry } from "../plugin/registry.ts";
import type { Store } from "../store/index.ts";
import type { Liveness } from "./liveness.ts";
import type { Logger } from "./logger.ts";
import type { Masking } from "./masking.ts";
import { type OrphanSettings, settleOrphans } from "./orphans.ts";
import { neverSubmitted } from "./pane-delivery.ts";
import { type OrchPaths, workerLogPath } from "./paths.ts";
import { callReadyPattern } from "./plugin-boundary.ts";
import type { TaskFlow } from "./task-flow.ts";
import { NEVER_SUBMITTED, recoverOrRequeue, recoverTask, requeueNeverSubmitted } from "./task-recovery.ts";
import type { TmuxHost } from "./tmux-host.ts";
import type { TurnFlow } from "./turn-flow.ts";
import { WorkerRuntime } from "./worker-runtime.ts";
import type { WorkerStarter } from "./worker-start.ts";

export interface AdoptionDeps {
  paths: OrchPaths;
  config: Config;
  store: Store;
  plugins: PluginRegistry;
  logger: Logger;
  masking: Masking;
  runtimes: Map<string, WorkerRuntime>;
  starter: WorkerStarter;
  flow: TaskFlow;
  turns: TurnFlow;
  liveness: Liveness;
  /** Starts a worker's agent again in a new window (its pane went with the tmux server). */
  revive(name: string, by: "tmux"): Promise<Result<Worker>>;
  /** Reads the worker's screen now and hands it to the turn flow. */
  readScreen(rt: WorkerRuntime): Promise<void>;
  /** Panes no stored worker owns: adopted, killed or kept at the first connect (`--orphans`). */
  orphans?: OrphanSettings;
}

/**
 * Re-maps the stored workers to the panes of a (re)connected tmux server that carry their id
 * (the `@orch_worker` pane option): a live pane is adopted with its task in flight (finished
 * from its log, or its turn resumed), a dead one is recorded dead, and a missing one is
 * recreated. Stopping the controller never kills agents; this is how they are found again.
 */
export async function adoptWorkers(d: AdoptionDeps, host: TmuxHost): Promise<void> {
  // panes no worker owns are settled on this machine (a host's are left as they are)
  if (d.orphans && d.orphans.outcomes === null && !host.remote)
    d.orphans.outcomes = await settleOrphans({ ...d, ops: host.ops }, d.orphans.choice);
  const panes = await host.ops.listPanes();
  const byWorker = new Map(panes.filter((p) => p.workerId).map((p) => [p.workerId!, p]));
  if (host.remote) await closeKilledWhileAway(d, host, byWorker);
  for (const w of d.store.workers.list()) {
    if (w.host !== host.name) continue;
    const plugin = d.plugins.get(w.type);
    d.runtimes.get(w.name)?.clearTimer();
    if (!plugin) {
      const why = d.plugins.refusal(w.type);
      d.store.workers.update(w.name, {
        state: "error",
        error: why ? `agent type "${w.type}" was not loaded: ${why}` : `unknown agent type "${w.type}"`,
      });
      continue;
    }
    const ready = await callReadyPattern(plugin, d.starter.context(w), d.starter.timeoutMs);
    if (!ready.ok) d.logger.log("error", ready.error, { worker: w.name });
    const rt = new WorkerRuntime(w.id, w.name, plugin, ready.ok ? ready.value : undefined);
    rt.project = w.project;
    rt.host = w.host;
    rt.hostLabels = JSON.stringify(d.store.hosts.get(w.host)?.labels ?? {});
    d.runtimes.set(w.name, rt);
    const pane = byWorker.get(w.id);
    // a host's pane log is copied here first when a task may be finished from it
    const open = d.store.tasks.list({ worker: w.name, status: ["dispatched", "running"] }).length > 0;
    if (host.remote && open && plugin.detect.kind === "marker") await host.place.pullLog(w.name);
    if (!pane) {
      recreate(d, w, rt, host);
      continue;
    }
    if (pane.dead) {
      host.attach(rt, pane.paneId, pane.windowId);
      d.liveness.markDead(rt, describeExit(pane.deadStatus, pane.deadSignal));
      continue;
    }
    // not "starting": output replayed or arriving while this is decided must not make the
    // worker ready and dispatch its next task beside one still running from before
    rt.phase = "busy";
    host.attach(rt, pane.paneId, pane.windowId);
    const log = workerLogPath(d.paths, w.name);
    // the pipe outlives the controller; reopening it would lose what it is writing now
    if (!pane.piped) await host.pipeLog(pane.paneId, w.name, d.masking.logFilter(w.name));
    let inFlight = d.store.tasks.list({ worker: w.name, status: ["dispatched", "running"] })[0];
    if (inFlight?.status === "dispatched" && neverSubmitted(pane, inFlight.id, inFlight.attempts)) {
      // the controller died before tmux typed it: nothing of it ran, so it is dispatched anew
      if (requeueNeverSubmitted(d.store, rt, inFlight))
        d.logger.log("info", `task requeued: ${NEVER_SUBMITTED}`, { worker: w.name, task: inFlight.id });
      inFlight = undefined;
    }
    if (inFlight && plugin.detect.kind !== "marker") {
      // an interactive turn: its screen (read now) or its hook says when it ends
      rt.dispatchedAt = inFlight.submittedAt;
      rt.startedAt = inFlight.startedAt;
      d.turns.begin(rt, inFlight, { resumed: true });
      void d.readScreen(rt);
    } else if (inFlight) {
      recoverTask(d.flow, rt, inFlight, log);
      if (host.remote) followHostLog(rt, host);
    } else {
      rt.phase = "ready";
      d.store.workers.update(w.name, { state: "idle", paneId: pane.paneId, currentTask: null });
      d.flow.pump(rt);
    }
    d.logger.log("info", "worker adopted", { worker: w.name, pane: pane.paneId });
  }
}

/**
 * A worker whose pane is gone, with the tmux server (killed, crashed, a reboot) or alone (closed
 * while the controller was away, a restored store): its tasks in flight are finished from its
 * log or requeued, and its agent starts again in a new window (not counted by the restart
 * intensity), the reason saying which it was. A worker given up
 * before, or automatic restarts turned off (maxRestarts 0), stays dead.
 */
function recreate(d: AdoptionDeps, w: Worker, rt: WorkerRuntime, host: TmuxHost): void {
  const why = host.serverStarted
    ? "its tmux pane is gone (the tmux server went away)"
    : "its tmux pane is gone (not on the tmux server, which kept running)";
  const logFile = rt.plugin.detect.kind === "marker" ? workerLogPath(d.paths, w.name) : null;
  for (const t of d.store.tasks.list({ worker: w.name, status: ["dispatched", "running"] })) {
    recoverOrRequeue(d.flow, d.store, rt, t, logFile, why);
  }
  if (w.state === "error") return;
  // started again now, not after reviveDelay
  d.liveness.markDead(rt, why, { reviveLater: false });
  if (d.config.maxRestarts === 0) return;
  d.logger.log("warn", "worker's pane is gone, starting it again", { worker: w.name });
  void d.revive(w.name, "tmux").then((r) => {
    if (!r.ok) d.logger.log("error", "worker not recreated", { worker: w.name, error: r.error });
  });
}

/** How often a recovery on a host over ssh copies the pane log from there (ms). */
const HOST_LOG_PULL_MS = 1000;

/**
 * A task finished from the pane log of a worker on a host over ssh: the log's copy here is
 * brought up to date every second (the recovery watches it) until the recovery ends.
 */
function followHostLog(rt: WorkerRuntime, host: TmuxHost): void {
  const t = setInterval(() => {
    if (!rt.recovery || rt.phase === "dead") clearInterval(t);
    else void host.place.pullLog(rt.name);
  }, HOST_LOG_PULL_MS);
}

/**
 * On a host over ssh (whose tmux server is this store's alone), a pane whose worker is no longer
 * stored was killed while the host was away: its window is closed now.
 */
async function closeKilledWhileAway(
  d: AdoptionDeps,
  host: TmuxHost,
  byWorker: Map<string, { paneId: string }>,
) {
  for (const [id, pane] of byWorker) {
    if (d.store.workers.getById(id)) continue;
    d.logger.log("info", "closing the window of a worker killed while its host was away", {
      host: host.name,
      pane: pane.paneId,
    });
    await host.ops.killWindow(pane.paneId).catch(() => undefined);
  }
}
