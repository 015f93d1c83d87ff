import { type LimitBreach, limitBreaches, type ResourceLimits, type UsageSample } from "../domain/limits.ts";
import { errorMessage } from "../domain/result.ts";
import { type ProcInfo, snapshotProcesses, treeUsage } from "../runtime/proc-tree.ts";
import type { Logger } from "./logger.ts";

/** A live worker's pane and the pid of the process tmux started in it. */
export interface MonitoredPane {
  worker: string;
  pid: number;
  /** The host the pane is on (its pid is that machine's); absent: this machine. */
  host?: string;
}

export interface ResourceMonitorDeps {
  limits: ResourceLimits;
  intervalMs: number;
  logger: Logger;
  /** The workers' panes with their pids (from tmux). */
  panes(): Promise<MonitoredPane[]>;
  /** A worker went over a limit: record it and apply the policy. */
  onBreach(worker: string, breach: LimitBreach): Promise<void>;
  /** Where /proc is (tests hand in a fake one). */
  procRoot?: string;
  /** Every process on another host (one read of its /proc per round). */
  processesOn?(host: string): Promise<Map<number, ProcInfo>>;
}

/**
 * Samples each worker's process tree (the pane's process and all its descendants) once per
 * interval, with one pass over /proc for all of them, and reports memory and CPU over the
 * limits. It runs only when a memory or CPU limit is set.
 */
export class ResourceMonitor {
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly last = new Map<string, UsageSample>();
  private busy = false;

  constructor(private readonly d: ResourceMonitorDeps) {}

  /** Whether any limit needs sampling. */
  get needed(): boolean {
    return this.d.limits.maxWorkerMemoryMb !== null || this.d.limits.maxWorkerCpuPercent !== null;
  }

  start(): void {
    if (!this.needed || this.timer) return;
    this.timer = setInterval(() => void this.sample(), this.d.intervalMs);
    this.timer.unref?.();
  }

  /** One round: sample every worker and report what breaks a limit. */
  async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const panes = await this.d.panes();
      // one snapshot per machine: this one's /proc, and one read per host that has workers
      const snapshots = new Map<string | undefined, Map<number, ProcInfo> | null>();
      for (const host of new Set(panes.map((p) => p.host))) {
        const read =
          host === undefined || !this.d.processesOn
            ? Promise.resolve(snapshotProcesses(this.d.procRoot))
            : this.d.processesOn(host);
        snapshots.set(
          host,
          await read.catch((e) => {
            this.d.logger.log("warn", "resource sampling failed", { host, error: errorMessage(e) });
            return null;
          }),
        );
      }
      const now = Date.now();
      const seen = new Set<string>();
      for (const p of panes) {
        const snapshot = snapshots.get(p.host);
        if (!snapshot) continue;
        const usage = treeUsage(snapshot, p.pid);
        if (!usage) continue;
        seen.add(p.worker);
        const cur: UsageSample = { at: now, rssBytes: usage.rssBytes, cpuMs: usage.cpuMs };
        const breaches = limitBreaches(this.d.limits, this.last.get(p.worker) ?? null, cur);
        this.last.set(p.worker, cur);
        for (const b of breaches) {
          // a restart or kill starts the worker's measurements over
          if (b.policy !== "warn") this.last.delete(p.worker);
          await this.d.onBreach(p.worker, b);
        }
      }
      for (const w of this.last.keys()) if (!seen.has(w)) this.last.delete(w);
    } catch (e) {
      this.d.logger.log("warn", "resource sampling failed", { error: errorMessage(e) });
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
