import type { Config } from "../domain/config.ts";
import { fail, ok, type Result } from "../domain/result.ts";
import { PRUNE_BATCH, type Store } from "../store/index.ts";
import type { PaneOps } from "../tmux/pane-ops.ts";
import { HostLogRotation } from "./host-log-rotation.ts";
import { LogRotation } from "./log-rotation.ts";
import type { Logger } from "./logger.ts";
import type { Masking } from "./masking.ts";
import { type OrchPaths, taskOutputPath } from "./paths.ts";
import { type PruneReport, pruneOlderThan } from "./retention.ts";
import type { TmuxHosts } from "./tmux-hosts.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

/** How often the retention setting is applied at most (the health loop ticks more often). */
const PRUNE_EVERY_MS = 10 * 60_000;

const DAY_MS = 86_400_000;

/** Most tasks one periodic prune removes (a few store batches, well under a second). */
const PRUNE_TASKS_PER_TICK = 4 * PRUNE_BATCH;

export interface HousekeepingDeps {
  config: Pick<Config, "paneLogMaxBytes" | "retentionDays">;
  store: Store;
  logger: Logger;
  paths: OrchPaths;
  masking: Masking;
  runtimes: Map<string, WorkerRuntime>;
  ops: (rt: WorkerRuntime) => PaneOps;
  /** The hosts over ssh, whose pane logs are rotated there (absent: this machine only). */
  hosts?: TmuxHosts;
}

/**
 * What keeps orch's disk use bounded, run from the health loop: pane logs rotated by size
 * (paneLogMaxBytes) on every tick, and the retention setting (retentionDays) applied every
 * 10 minutes; `orch prune` asks for a prune by hand.
 */
export class Housekeeping {
  private readonly rotation: LogRotation;
  private readonly hostRotation: HostLogRotation | null;
  private lastPrune = 0;

  constructor(private readonly d: HousekeepingDeps) {
    this.rotation = new LogRotation({ ...d, maxBytes: d.config.paneLogMaxBytes });
    this.hostRotation = d.hosts
      ? new HostLogRotation({ ...d, hosts: d.hosts, maxBytes: d.config.paneLogMaxBytes })
      : null;
  }

  /** One round: rotations, and the retention prune when it is due. */
  async tick(now = Date.now()): Promise<void> {
    await this.rotation.run();
    await this.hostRotation?.run();
    const days = this.d.config.retentionDays;
    if (days <= 0 || now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const r = pruneOlderThan(this.d, now - days * DAY_MS, false, PRUNE_TASKS_PER_TICK);
    // a long backlog goes a few batches per tick, so the controller never stalls on it
    if (r.tasks.length >= PRUNE_TASKS_PER_TICK) this.lastPrune = 0;
    if (r.tasks.length || r.files.length || r.events || r.runs)
      this.d.logger.log("info", "pruned by retentionDays", {
        tasks: r.tasks.length,
        events: r.events,
        runs: r.runs,
        files: r.files.length,
        bytes: r.bytes,
      });
  }

  /** The file with the whole output of a task whose stored output was cut. */
  outputFile(taskId: string): string {
    return taskOutputPath(this.d.paths, taskId);
  }

  /**
   * `orch prune`: removes what is older than `olderThanSec` (default: the retention setting)
   * or, with `dryRun`, only says what that would be.
   */
  prune(olderThanSec: number | undefined, dryRun: boolean): Result<PruneReport> {
    const sec = olderThanSec ?? this.d.config.retentionDays * 86_400;
    if (!(sec > 0))
      return fail("bad_input", "no age given (--older-than) and retentionDays is 0: nothing is old");
    return ok(pruneOlderThan(this.d, Date.now() - sec * 1000, dryRun));
  }
}
