import type { Config } from "../domain/config.ts";
import { validateTaskText } from "../domain/names.ts";
import { DEFAULT_PRIORITY, queueRank } from "../domain/priority.ts";
import { fail, ok, type Result } from "../domain/result.ts";
import { isFinal } from "../domain/task-status.ts";
import type { Task, TaskStatus } from "../domain/types.ts";
import type { Store } from "../store/index.ts";
import type { TaskFlow } from "./task-flow.ts";
import type { TaskWaiters } from "./task-waiters.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

export interface SendRequest {
  worker: string;
  text: string;
  timeoutSec?: number;
  /** Retries after the first attempt fails or times out (default 0 for a task sent to one worker). */
  retries?: number;
}

export interface TaskDeskDeps {
  store: Store;
  config: Config;
  flow: TaskFlow;
  waiters: TaskWaiters;
  runtimes: Map<string, WorkerRuntime>;
  /** The failure for a worker name that is not known. */
  unknownWorker(name: string): Result<never>;
}

/** What the API asks of tasks sent to one worker: send, cancel, wait for, list. */
export class TaskDesk {
  constructor(private readonly d: TaskDeskDeps) {}

  /** Queues a task on one worker's FIFO and starts it if the worker is free. */
  send(req: SendRequest): Result<Task> {
    const { store, config } = this.d;
    const w = store.workers.get(req.worker);
    if (!w) return this.d.unknownWorker(req.worker);
    const check = validateTaskText(req.text, config.maxTaskBytes);
    if (!check.ok) return check;
    if (w.state === "dead" || w.state === "error") {
      return fail(
        "unavailable",
        `worker "${w.name}" is ${w.state}${w.error ? ` (${w.error})` : ""}: run orch revive ${w.name}`,
      );
    }
    const timeoutSec = req.timeoutSec ?? config.commandTimeout;
    return ok(
      this.d.flow.enqueue(w.name, req.text, timeoutSec, this.d.runtimes.get(w.name), {
        maxRetries: req.retries ?? 0,
        rank: queueRank(DEFAULT_PRIORITY, Date.now(), config.priorityAging * 1000),
      }),
    );
  }

  /**
   * Cancels a task: a queued one leaves the queue, one in flight is interrupted (the agent's
   * interrupt keys) and recorded as cancelled. A final task cannot be cancelled.
   */
  cancel(id: string, why: string): Result<Task> {
    const { store, flow } = this.d;
    const t = store.tasks.get(id);
    if (!t) return fail("not_found", `unknown task "${id}"`);
    if (isFinal(t.status)) return fail("conflict", `task ${id} is already ${t.status}`);
    const rt = t.worker ? this.d.runtimes.get(t.worker) : undefined;
    if (t.status !== "queued" && rt?.currentTaskId === id) {
      flow.fail(rt, id, "cancelled", why);
      flow.interrupt(rt);
    } else {
      const done = store.tasks.update(id, { status: "cancelled", error: why, finishedAt: Date.now() });
      if (done) flow.settled(done);
    }
    return ok(store.tasks.get(id)!);
  }

  /** Resolves with the task once it is final, or as it is after `ms`. */
  wait(id: string, ms: number, known?: Task): Promise<Task | null> {
    const read = () => this.d.store.tasks.get(id);
    // a task just queued in this turn is not final yet: no need to read it back
    const t = known && !isFinal(known.status) ? known : read();
    if (!t || isFinal(t.status) || ms <= 0) return Promise.resolve(t);
    return this.d.waiters.wait(id, ms, read);
  }

  /** Tasks oldest first; with `limit`, the newest `limit` of them. */
  list(opts: { worker?: string; limit?: number; runId?: string; status?: TaskStatus[] }): Task[] {
    const filter = {
      ...(opts.worker !== undefined ? { worker: opts.worker } : {}),
      ...(opts.runId !== undefined ? { runId: opts.runId } : {}),
      ...(opts.status !== undefined ? { status: opts.status } : {}),
    };
    if (!opts.limit) return this.d.store.tasks.list({ ...filter, order: "asc" });
    return this.d.store.tasks.list({ ...filter, limit: opts.limit, order: "desc" }).reverse();
  }
}
