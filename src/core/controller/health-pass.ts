/**
 * The supervisor's health pass: every HEALTH_CHECK_INTERVAL (and on `orch health-check`) it
 * checks what tmux events cannot tell — the pane still exists, its process is alive, a task
 * still shows progress — and repairs: a dead or stuck worker is revived in place, at most
 * `maxRestarts` times in `restartWindow`; past that it is given up (state `error`, an event).
 * A death tmux reports is repaired sooner: `afterDeath` revives it after `reviveDelay`,
 * doubled for each automatic restart still in the window.
 */
import type { Config } from "../domain/config.ts";
import { type HealthVerdict, judgeWorker, restartAllowed } from "../domain/health.ts";
import { errorMessage, type Result } from "../domain/result.ts";
import type { Worker } from "../domain/types.ts";
import type { Store } from "../store/index.ts";
import { workerEvent } from "../store/index.ts";
import type { PaneInfo } from "../tmux/operations.ts";
import type { Logger } from "./logger.ts";
import { RestartHistory } from "./restart-history.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

/** One worker's line in a health report. */
export interface WorkerHealth {
  worker: string;
  verdict: HealthVerdict;
  reason: string;
}

export interface HealthPassDeps {
  store: Store;
  config: Config;
  logger: Logger;
  runtime(name: string): WorkerRuntime | undefined;
  /** Whether the worker's start is under way (its pane may not be bound yet). */
  starting(name: string): boolean;
  /**
   * The panes on a host now, and whether their pids are another machine's (so only tmux can
   * tell whether they live); null when the host cannot be reached.
   */
  panesOn(host: string): Promise<{ panes: PaneInfo[]; remote: boolean } | null>;
  /** Restarts the worker in place; "auto" marks its event as counted by the intensity. */
  revive(name: string, by: "auto"): Promise<Result<Worker>>;
  /**
   * Runs the plugin's probe on an idle worker: ms the answer took, false when none came, null
   * when the worker was not probed.
   */
  probe(name: string): Promise<number | false | null>;
  /** Records a death the events missed (the task fails with the reason, a worker.dead event). */
  markDead(name: string, reason: string): void;
  /** Whether a process is alive (signal 0); injectable for tests. */
  processAlive?(pid: number): boolean;
  /** The clock (ms since the epoch) for restart windows and quiet times; default Date.now. */
  now?(): number;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The longest wait before an automatic revive, however many restarts came before it. */
const MAX_REVIVE_DELAY_MS = 60_000;

/** Runs health passes; remembers each worker's automatic restarts for the restart intensity. */
export class HealthPass {
  private readonly restarts: RestartHistory;
  /** Revives waiting for their delay after a death. */
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  /** Workers being revived or given up now (a pass and a delayed revive never both do it). */
  private readonly repairing = new Set<string>();
  private running: Promise<WorkerHealth[]> | null = null;

  private readonly now: () => number;

  constructor(private readonly d: HealthPassDeps) {
    this.now = d.now ?? Date.now;
    this.restarts = new RestartHistory(
      d.store.events.latest(RestartHistory.seedEvents),
      this.now(),
      d.config.restartWindow * 1000,
    );
  }

  /** Forgets a worker's automatic restarts (it was revived by hand, or removed). */
  forget(name: string): void {
    this.restarts.forget(name);
    this.cancel(name);
  }

  /** A worker was recorded dead: revive it after the delay, unless something else does first. */
  afterDeath(name: string): void {
    const { maxRestarts, reviveDelay, restartWindow } = this.d.config;
    if (maxRestarts === 0 || this.pending.has(name)) return;
    const now = this.now();
    const before = this.restarts.recent(name, now - restartWindow * 1000).length;
    const ms = Math.min(reviveDelay * 1000 * 2 ** before, MAX_REVIVE_DELAY_MS);
    const timer = setTimeout(() => {
      this.pending.delete(name);
      void this.reviveIfDead(name);
    }, ms);
    timer.unref?.();
    this.pending.set(name, timer);
  }

  /** Drops every pending revive (the controller is stopping). */
  stop(): void {
    for (const name of [...this.pending.keys()]) this.cancel(name);
  }

  private cancel(name: string): void {
    clearTimeout(this.pending.get(name));
    this.pending.delete(name);
  }

  private async reviveIfDead(name: string): Promise<void> {
    const w = this.d.store.workers.get(name);
    if (w?.state !== "dead" || this.repairing.has(name)) return;
    try {
      await this.repair(name, "dead", w.error ?? "dead", this.now());
    } catch (e) {
      this.d.logger.log("error", `revive failed: ${errorMessage(e)}`, { worker: name });
    }
  }

  /** One pass over every worker; a pass asked for while one runs shares its report. */
  run(): Promise<WorkerHealth[]> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<WorkerHealth[]> {
    const now = this.now();
    const workers = this.d.store.workers.list();
    const onHost = new Map<string, { panes: Map<string, PaneInfo>; remote: boolean } | null>();
    for (const host of new Set(workers.map((w) => w.host))) {
      const r = await this.d.panesOn(host).catch(() => null);
      onHost.set(host, r && { panes: new Map(r.panes.map((p) => [p.paneId, p])), remote: r.remote });
    }
    const seen = workers.map((w) => {
      const h = onHost.get(w.host);
      if (!h && w.state !== "error")
        return { worker: w.name, verdict: "unreachable" as const, reason: `its host ${w.host} is offline` };
      return this.judge(w, h?.panes ?? new Map(), now, h?.remote ?? false);
    });
    // workers that look healthy answer their plugin's probe, all at once (the busy ones are skipped)
    const probed = await Promise.all(
      seen.map((h) =>
        h.verdict === "healthy" && !this.d.starting(h.worker) ? this.d.probe(h.worker) : null,
      ),
    );
    const report: WorkerHealth[] = [];
    for (const [i, h] of seen.entries()) {
      const answer = probed[i];
      if (answer === false) {
        const ms = this.d.runtime(h.worker)?.plugin.probe?.timeoutMs ?? 5000;
        report.push(await this.repair(h.worker, "stuck", `did not answer its probe within ${ms} ms`, now));
      } else if (h.verdict === "dead" || h.verdict === "stuck") {
        // a death no tmux event reported (tmux 3.3a can miss a pane-died hook): record it first
        const w = this.d.store.workers.get(h.worker);
        if (h.verdict === "dead" && w?.state !== "dead" && this.d.runtime(h.worker)?.phase !== "dead")
          this.d.markDead(h.worker, h.reason);
        report.push(await this.repair(h.worker, h.verdict, h.reason, now));
      } else {
        const reason =
          typeof answer === "number" ? `${h.reason}, answered its probe in ${answer} ms` : h.reason;
        report.push({ ...h, reason });
      }
    }
    return report;
  }

  /** What the pane, its process and the task's progress say of one worker. */
  private judge(w: Worker, panes: Map<string, PaneInfo>, now: number, remote: boolean): WorkerHealth {
    if (this.repairing.has(w.name)) return { worker: w.name, verdict: "dead", reason: "being revived now" };
    if (w.state === "error") return { worker: w.name, verdict: "gave_up", reason: w.error ?? "in error" };
    // a start under way (its pane not bound yet) is the start's to judge: it has its own deadline
    if (this.d.starting(w.name)) return { worker: w.name, verdict: "healthy", reason: "starting" };
    // another machine's pid: tmux's word (the pane is not dead) is all there is
    const alive = remote ? () => true : (this.d.processAlive ?? pidAlive);
    const rt = this.d.runtime(w.name);
    const pane = rt?.paneId ? panes.get(rt.paneId) : undefined;
    const busy = rt?.currentTaskId ? (rt.startedAt ?? rt.dispatchedAt ?? now) : null;
    const seen = judgeWorker(
      {
        knownDead: w.state === "dead" || rt?.phase === "dead",
        paneExists: pane !== undefined,
        paneDead: pane?.dead ?? false,
        deadStatus: pane?.deadStatus === null || pane === undefined ? null : String(pane.deadStatus),
        deadSignal: pane?.deadSignal ?? null,
        processAlive: pane ? pane.dead || alive(pane.pid) : false,
        // an interactive agent waiting for a human is not stuck
        busySince: w.state === "waiting_input" || w.state === "rate_limited" ? null : busy,
        lastOutputAt: rt?.lastOutputAt ?? null,
      },
      now,
      this.d.config.stuckAfter * 1000,
    );
    return { worker: w.name, ...seen };
  }

  /** Revives a dead or stuck worker if the restart intensity allows, else gives it up. */
  private async repair(
    name: string,
    verdict: "dead" | "stuck",
    reason: string,
    now: number,
  ): Promise<WorkerHealth> {
    const { maxRestarts, restartWindow } = this.d.config;
    if (maxRestarts === 0) return { worker: name, verdict, reason };
    this.cancel(name);
    const times = this.restarts.recent(name, now - restartWindow * 1000);
    if (!restartAllowed(times, now, maxRestarts, restartWindow * 1000)) {
      return this.giveUp(
        name,
        `${verdict}: ${reason}; restarted ${times.length} times in ${restartWindow} s`,
      );
    }
    this.restarts.record(name, now);
    this.d.logger.log("warn", `worker ${verdict}, reviving`, { worker: name, reason });
    this.repairing.add(name);
    try {
      const r = await this.d.revive(name, "auto");
      if (!r.ok) return { worker: name, verdict, reason: `${reason}; revive failed: ${r.error}` };
      return { worker: name, verdict: "revived", reason: `was ${verdict}: ${reason}` };
    } finally {
      this.repairing.delete(name);
    }
  }

  private giveUp(name: string, why: string): WorkerHealth {
    const error = `gave up: ${why}`;
    this.d.store.workers.update(name, { state: "error", error });
    this.d.store.events.append(workerEvent("worker.gave_up", name, { reason: why }));
    this.d.logger.log("error", "worker given up", { worker: name, reason: why });
    return { worker: name, verdict: "gave_up", reason: why };
  }
}
