import type { Config } from "../domain/config.ts";
import { type LimitBreach, limitsFromConfig } from "../domain/limits.ts";
import { errorMessage } from "../domain/result.ts";
import type { Store } from "../store/index.ts";
import { workerEvent } from "../store/index.ts";
import type { HealthPass } from "./health-pass.ts";
import { Housekeeping } from "./housekeeping.ts";
import type { Logger } from "./logger.ts";
import type { Masking } from "./masking.ts";
import type { OrchPaths } from "./paths.ts";
import { ResourceMonitor } from "./resource-monitor.ts";
import type { TmuxHosts } from "./tmux-hosts.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

export interface HealthLoopDeps {
  config: Config;
  store: Store;
  logger: Logger;
  hosts: TmuxHosts;
  /** True while the store takes no writes: no pass runs then (it could not record what it did). */
  paused?(): boolean;
  health: HealthPass;
  runtimes: Map<string, WorkerRuntime>;
  paths: OrchPaths;
  masking: Masking;
  /** A resource limit's `restart` policy: the worker is revived. */
  restart(worker: string): Promise<unknown>;
  /** A resource limit's `kill` policy: the worker is killed. */
  kill(worker: string): Promise<unknown>;
}

/**
 * The timers of the supervisor: a health pass and then the housekeeping (log rotation,
 * retention) every HEALTH_CHECK_INTERVAL (skipped while the tmux link is being restored), and
 * the resource monitor, whose breaches go out as `worker.limit` events and then the limit's policy.
 */
export class HealthLoop {
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  private readonly monitor: ResourceMonitor;
  readonly housekeeping: Housekeeping;

  constructor(private readonly d: HealthLoopDeps) {
    this.housekeeping = new Housekeeping({ ...d, ops: (rt) => d.hosts.of(rt).ops });
    this.monitor = new ResourceMonitor({
      limits: limitsFromConfig(d.config),
      intervalMs: d.config.healthCheckInterval * 1000,
      logger: d.logger,
      // every online host's panes, each host's pids read from its own /proc
      panes: async () => {
        const out: Array<{ worker: string; pid: number; host?: string }> = [];
        for (const host of d.hosts.all().filter((h) => h.online)) {
          const pids = new Map((await host.ops.listPanes().catch(() => [])).map((p) => [p.paneId, p.pid]));
          for (const rt of d.runtimes.values()) {
            const pid =
              rt.host === host.name && rt.paneId && rt.phase !== "dead" ? pids.get(rt.paneId) : undefined;
            if (pid) out.push({ worker: rt.name, pid, ...(host.remote ? { host: host.name } : {}) });
          }
        }
        return out;
      },
      processesOn: (host) => d.hosts.of(host).place.processes(),
      onBreach: (worker, b) => this.onLimitBreach(worker, b),
    });
  }

  /** Starts the timers (again after a reconnect: a running timer is kept). */
  start(): void {
    this.monitor.start();
    this.timer ??= setInterval(() => {
      if (this.stopped || this.d.hosts.local.reconnectingNow || this.d.paused?.()) return;
      this.d.health
        .run()
        .catch((e) => this.d.logger.log("error", `health pass failed: ${errorMessage(e)}`))
        .then(() => this.housekeeping.tick())
        .catch((e) => this.d.logger.log("error", `housekeeping failed: ${errorMessage(e)}`));
    }, this.d.config.healthCheckInterval * 1000);
    this.timer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    this.monitor.stop();
    if (this.timer) clearInterval(this.timer);
    this.d.health.stop();
  }

  /** A worker went over a memory or CPU limit: an event, then the limit's policy. */
  private async onLimitBreach(worker: string, b: LimitBreach): Promise<void> {
    const { limit, value, max, policy, message } = b;
    this.d.store.events.append(workerEvent("worker.limit", worker, { limit, value, max, policy, message }));
    this.d.logger.log("warn", "worker over a resource limit", { worker, message });
    if (policy === "restart") await this.d.restart(worker);
    else if (policy === "kill") await this.d.kill(worker);
  }
}
