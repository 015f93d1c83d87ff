import { isFinal } from "../domain/task-status.ts";
import type { Store } from "../store/index.ts";
import type { PaneOps } from "../tmux/pane-ops.ts";
import type { Logger } from "./logger.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

/** What a timeout needs of the task flow. */
export interface TimeoutDeps {
  store: Store;
  logger: Logger;
  ops: (rt: WorkerRuntime) => PaneOps;
  /** Whether the worker's pane is dead by tmux's own account (then it is marked dead). */
  deadPane?(rt: WorkerRuntime): Promise<boolean>;
  /** Whether the worker's host is away (its link down): nothing can be known of the task now. */
  away?(rt: WorkerRuntime): boolean;
  fail(rt: WorkerRuntime, taskId: string, status: "timed_out", error: string): void;
}

/**
 * The task ran past its timeout: record it and interrupt the agent. tmux 3.3a can miss a
 * pane's death (no pane-died hook), so tmux is asked first: a dead pane is a death, not a timeout.
 * A task whose host is away is left in flight: when the host is back, its adoption finishes the
 * task from the pane log if it ended meanwhile, or times it out then (task-recovery.ts).
 *
 * @example
 * rt.timer = setTimeout(() => timeOutTask(deps, rt, task.id), task.timeoutMs);
 */
export function timeOutTask(d: TimeoutDeps, rt: WorkerRuntime, taskId: string, paneChecked = false): void {
  const t = d.store.tasks.get(taskId);
  if (!t || isFinal(t.status)) return;
  if (d.away?.(rt)) {
    d.logger.log("info", "task's time is up while its host is away: decided when it is back", {
      worker: rt.name,
      task: taskId,
    });
    return;
  }
  if (d.deadPane && !paneChecked) {
    void d.deadPane(rt).then((dead) => {
      if (!dead) timeOutTask(d, rt, taskId, true);
    });
    return;
  }
  const keys = rt.plugin.interruptKeys ?? ["C-c"];
  d.fail(
    rt,
    taskId,
    "timed_out",
    `timed out after ${t.timeoutMs / 1000} s; interrupted with ${keys.join(" ")}`,
  );
  interruptAgent(d.ops, rt);
  d.logger.log("warn", "task timed out", { worker: rt.name, task: taskId });
}

/** Stops what the agent is doing (its interrupt keys) and waits for it to be ready again. */
export function interruptAgent(ops: (rt: WorkerRuntime) => PaneOps, rt: WorkerRuntime): void {
  if (rt.phase === "dead") return;
  rt.primed = false;
  rt.phase = "settling";
  rt.resetReady();
  if (rt.paneId)
    void ops(rt)
      .sendKeys(rt.paneId, rt.plugin.interruptKeys ?? ["C-c"])
      .catch(() => undefined);
}
