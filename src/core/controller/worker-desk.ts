import { errorMessage, fail, ok, type Result } from "../domain/result.ts";
import type { HookEvent } from "../plugin/contract.ts";
import type { Store } from "../store/index.ts";
import type { Masking } from "./masking.ts";
import { type OrchPaths, workerLogPath } from "./paths.ts";
import type { TmuxHosts } from "./tmux-hosts.ts";
import type { TurnFlow } from "./turn-flow.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

export interface WorkerDeskDeps {
  paths: OrchPaths;
  store: Store;
  masking: Masking;
  hosts: TmuxHosts;
  turns: TurnFlow;
  runtimes: Map<string, WorkerRuntime>;
  /** The failure for a worker name that is not known. */
  unknownWorker(name: string): Result<never>;
}

/** A worker's pane log: its file, and `onRemoved(fn)`: calls `fn` once the worker is killed; returns the unsubscribe. */
export interface WorkerLog {
  path: string;
  onRemoved(fn: () => void): () => void;
  /** Brings `path` up to date (a worker on a host over ssh: its log is copied from there). */
  pull(): Promise<void>;
  /** Pulls every second until the returned stop is called (a followed log of a remote worker). */
  keepPulling(): () => void;
}

/** How often a followed log of a worker on another host is copied from there (ms). */
const PULL_EVERY_MS = 1000;

/** What the API asks of one worker's pane: its hooks, answers to its prompts, keys, its screen and log. */
export class WorkerDesk {
  constructor(private readonly d: WorkerDeskDeps) {}

  /** An agent's hook fired (`orch hook`): the plugin's rule says what it means. */
  hook(name: string, event: HookEvent): Result<void> {
    const rt = this.d.runtimes.get(name);
    if (!rt) return this.d.unknownWorker(name);
    this.d.turns.onHook(rt, event);
    return ok(undefined);
  }

  /** Answers the permission prompt on the worker's screen. */
  answer(name: string, decision: "approve" | "deny"): Result<void> {
    const rt = this.d.runtimes.get(name);
    if (!rt) return this.d.unknownWorker(name);
    if (!rt.plugin.approval)
      return fail("bad_input", `agent type "${rt.plugin.name}" has no permission prompts`);
    if (this.d.store.workers.get(name)?.state !== "waiting_input") {
      return fail("conflict", `worker "${name}" is not waiting for input`);
    }
    this.d.turns.answer(rt, decision);
    return ok(undefined);
  }

  /** Sends named keys (`Enter`, `C-c`, `1`, ...) to the worker's pane. */
  async sendKeys(name: string, keys: string[]): Promise<Result<void>> {
    const rt = this.d.runtimes.get(name);
    if (!rt) return this.d.unknownWorker(name);
    if (!rt.paneId || rt.phase === "dead") return fail("unavailable", `worker "${name}" has no live pane`);
    try {
      await this.d.hosts.of(rt).ops.sendKeys(rt.paneId, keys);
      return ok(undefined);
    } catch (e) {
      return fail("bad_input", `tmux refused the keys ${keys.join(" ")}: ${errorMessage(e)}`);
    }
  }

  /** The worker's screen now, masked. */
  async capture(name: string): Promise<Result<string>> {
    const rt = this.d.runtimes.get(name);
    if (!this.d.store.workers.get(name)) return this.d.unknownWorker(name);
    if (!rt?.paneId) return fail("unavailable", `worker "${name}" has no pane`);
    try {
      return ok(this.d.masking.text(name, await this.d.hosts.of(rt).ops.capture(rt.paneId)));
    } catch (e) {
      return fail("unavailable", errorMessage(e));
    }
  }

  /** The worker's pane log, and a way to hear that the worker was killed (a followed log ends then). */
  logFile(name: string): Result<WorkerLog> {
    const w = this.d.store.workers.get(name);
    if (!w) return this.d.unknownWorker(name);
    const place = this.d.hosts.of(w).place;
    const remote = this.d.hosts.of(w).remote;
    return ok({
      path: workerLogPath(this.d.paths, name),
      pull: () => place.pullLog(name),
      keepPulling: () => {
        if (!remote) return () => undefined;
        const t = setInterval(() => void place.pullLog(name), PULL_EVERY_MS);
        return () => clearInterval(t);
      },
      onRemoved: (fn) =>
        this.d.store.events.onAppend((e) => {
          if (e.kind === "worker.killed" && e.worker === name) fn();
        }),
    });
  }
}
