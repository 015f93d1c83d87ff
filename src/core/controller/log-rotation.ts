import { renameSync, statSync } from "node:fs";
import { errorMessage } from "../domain/result.ts";
import { LOCAL_HOST } from "../hosts/local-host.ts";
import { ensurePrivateFile } from "../store/private-files.ts";
import type { PaneInfo } from "../tmux/operations.ts";
import type { PaneOps } from "../tmux/pane-ops.ts";
import type { Logger } from "./logger.ts";
import type { Masking } from "./masking.ts";
import { type OrchPaths, workerLogPath } from "./paths.ts";
import { previousLog } from "./recover.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

export interface LogRotationDeps {
  paths: Pick<OrchPaths, "logsDir">;
  /** paneLogMaxBytes: a log past this size is rotated. */
  maxBytes: number;
  runtimes: Map<string, WorkerRuntime>;
  ops: (rt: WorkerRuntime) => PaneOps;
  masking: Masking;
  logger: Logger;
}

/**
 * Pane logs rotated by size: `NAME.log` becomes `NAME.log.1` (replacing the one before). orch's
 * log filter notices the rename and opens a new `NAME.log` before its next write, so the pipe
 * stays as it is: closing it would drop what tmux still holds for it (seen under load: a
 * task lost 10 KB in the middle). A raw pipe (`cat`, masking off) or one an older orch opened
 * is replaced by tmux with one pipe-pane command instead.
 *
 * Crash recovery reads `.log.1` and then `.log` (recover.ts), so a task may be cut in two by
 * one rotation; a second one would lose its start, so a log is not rotated again while the
 * task in flight began before the last rotation (the `.log.1` was last written after the
 * task was handed to the pane). A log being read by a recovery is not rotated either.
 */
export class LogRotation {
  constructor(private readonly d: LogRotationDeps) {}

  /** Rotates each live worker's log that is over the size and safe to rotate; returns their names. */
  async run(): Promise<string[]> {
    const rotated: string[] = [];
    let panes: Map<string, PaneInfo> | null = null;
    for (const rt of this.d.runtimes.values()) {
      // a host's log is on the host: not rotated from here (yet)
      if (!rt.paneId || rt.phase === "dead" || rt.recovery || rt.host !== LOCAL_HOST) continue;
      const log = workerLogPath(this.d.paths as OrchPaths, rt.name);
      const size = statSync(log, { throwIfNoEntry: false })?.size ?? 0;
      if (size <= this.d.maxBytes || !this.safe(rt, log)) continue;
      try {
        panes ??= new Map((await this.d.ops(rt).listPanes()).map((p) => [p.paneId, p]));
        renameSync(log, previousLog(log));
        ensurePrivateFile(log);
        if (!panes.get(rt.paneId)?.logFollowsRename)
          await this.d.ops(rt).pipeToFile(rt.paneId, log, this.d.masking.logFilter(rt.name), true);
        rotated.push(rt.name);
      } catch (e) {
        // the pane still writes into the renamed file: it becomes the log again
        try {
          renameSync(previousLog(log), log);
        } catch {
          // nothing renamed yet
        }
        this.d.logger.log("warn", `pane log rotation failed: ${errorMessage(e)}`, { worker: rt.name });
      }
    }
    return rotated;
  }

  /** Whether rotating now keeps both ends of the task in flight in the two files recovery reads. */
  private safe(rt: WorkerRuntime, log: string): boolean {
    if (rt.currentTaskId === null) return true;
    const previous = statSync(previousLog(log), { throwIfNoEntry: false });
    if (!previous) return true;
    return rt.dispatchedAt !== null && rt.dispatchedAt > previous.mtimeMs;
  }
}
