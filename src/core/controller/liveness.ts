import { describeExit } from "../domain/exit-status.ts";
import type { Store } from "../store/index.ts";
import { workerEvent } from "../store/index.ts";
import type { Logger } from "./logger.ts";
import type { TaskFlow } from "./task-flow.ts";
import type { TmuxHost } from "./tmux-host.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

export interface LivenessDeps {
  store: Store;
  logger: Logger;
  flow: TaskFlow;
  /** A worker died on its own: the health loop revives it later (by its restart policy). */
  afterDeath(worker: string): void;
  /** True once the controller is shutting down (deaths then are not revived). */
  stopping(): boolean;
}

/**
 * Records workers' deaths, whatever reported them (the pane-died hook, the `pane_dead`
 * subscription, a closed window, the health pass, adoption): the tasks in flight fail with
 * the reason, the worker is `dead` with it, an event goes out, and a revive is arranged.
 */
export class Liveness {
  constructor(private readonly d: LivenessDeps) {}

  /** A pane's agent ended; `why` names its exit status or signal (see describeExit). */
  exited(rt: WorkerRuntime, why: string): void {
    if (rt.phase !== "dead") {
      this.markDead(rt, why);
      return;
    }
    // a death first told without its status ("status ?": tmux had not reaped the agent yet)
    // gets its real reason when a later report carries one
    if (!rt.deathReason?.endsWith("status ?") || why.endsWith("status ?")) return;
    rt.deathReason = why;
    const w = this.d.store.workers.get(rt.name);
    if (w?.state === "dead" && w.paneId === rt.paneId) this.d.store.workers.update(rt.name, { error: why });
  }

  /** Records a death: its tasks fail with `why`, a worker.dead event, and (unless told not to) a revive later. */
  markDead(rt: WorkerRuntime, why: string, o: { reviveLater: boolean } = { reviveLater: true }): void {
    const { store, flow, logger } = this.d;
    // a death while starting is reported by the start itself (add-worker, or the revive that failed)
    const starting = rt.inStart;
    rt.phase = "dead";
    rt.deathReason = why;
    rt.settleWaiters(false);
    if (rt.currentTaskId) flow.fail(rt, rt.currentTaskId, "failed", `${why} before the task finished`);
    for (const t of store.tasks.list({ worker: rt.name, status: ["dispatched", "running"] })) {
      flow.fail(rt, t.id, "failed", `${why} before the task finished`);
    }
    store.workers.update(rt.name, { state: "dead", currentTask: null, error: why });
    store.events.append(workerEvent("worker.dead", rt.name, { reason: why }));
    logger.log("warn", "worker dead", { worker: rt.name, reason: why });
    if (o.reviveLater && !starting && !this.d.stopping()) this.d.afterDeath(rt.name);
  }

  /** Whether tmux says the worker's pane is dead (then it is marked dead); false while it lives. */
  async deadByTmux(rt: WorkerRuntime, host: Pick<TmuxHost, "pane">): Promise<boolean> {
    if (!rt.paneId || rt.phase === "dead") return rt.phase === "dead";
    const pane = await host.pane(rt.paneId);
    if (!pane?.dead) return false;
    this.markDead(rt, describeExit(pane.deadStatus, pane.deadSignal));
    return true;
  }
}
