import { errorMessage } from "../domain/result.ts";
import type { PaneInfo } from "../tmux/operations.ts";
import type { Logger } from "./logger.ts";
import type { Masking } from "./masking.ts";
import type { TmuxHosts } from "./tmux-hosts.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

/** How old a host's listing of its log sizes may get before it is listed again anyway (ms). */
const RELIST_MS = 10 * 60_000;

export interface HostLogRotationDeps {
  /** paneLogMaxBytes: a log past this size is rotated. */
  maxBytes: number;
  hosts: TmuxHosts;
  runtimes: Map<string, WorkerRuntime>;
  masking: Masking;
  logger: Logger;
}

/**
 * The pane logs on hosts over ssh rotated by size, as LogRotation does here: one listing of a
 * host's log sizes per round (through its ssh master), then for each log over the size
 * `NAME.log` renamed to `NAME.log.1` on the host and the pane piped into a new `NAME.log`. Only
 * a worker with no task in flight is rotated (so no task's output is ever cut in two there).
 */
export class HostLogRotation {
  /** Each host's last listing: when, and each worker's log size and bytes seen then. */
  private readonly listed = new Map<
    string,
    { at: number; logs: Map<string, { size: number; seen: number }> }
  >();

  constructor(private readonly d: HostLogRotationDeps) {}

  /**
   * Whether a host's logs must be listed now: no listing yet or one 10 minutes old (output the
   * controller did not see, while it or the link was down, grows them too), or a worker whose
   * log, by what its pane printed since, may be near the size. Idle hosts cost no ssh call.
   */
  private mustList(host: string, mine: WorkerRuntime[], now: number): boolean {
    const last = this.listed.get(host);
    if (!last || now - last.at > RELIST_MS) return true;
    return mine.some((rt) => {
      const l = last.logs.get(rt.name);
      return !l || l.size + (rt.bytesSeen - l.seen) > this.d.maxBytes * 0.9;
    });
  }

  /** One round over every online host; returns the workers whose logs were rotated. */
  async run(): Promise<string[]> {
    const rotated: string[] = [];
    for (const host of this.d.hosts.all()) {
      if (!host.remote || !host.online) continue;
      const mine = [...this.d.runtimes.values()].filter((rt) => rt.host === host.name);
      if (mine.length === 0 || !this.mustList(host.name, mine, Date.now())) continue;
      let sizes: Map<string, number>;
      try {
        sizes = await host.place.logSizes();
        this.listed.set(host.name, {
          at: Date.now(),
          logs: new Map(mine.map((rt) => [rt.name, { size: sizes.get(rt.name) ?? 0, seen: rt.bytesSeen }])),
        });
      } catch (e) {
        this.d.logger.log("warn", `pane log sizes not read: ${errorMessage(e)}`, { host: host.name });
        continue;
      }
      let panes: Map<string, PaneInfo> | null = null;
      for (const rt of mine) {
        if ((sizes.get(rt.name) ?? 0) <= this.d.maxBytes) continue;
        if (!rt.paneId || rt.phase === "dead" || rt.recovery || rt.currentTaskId) continue;
        panes ??= new Map((await host.ops.listPanes().catch(() => [])).map((p) => [p.paneId, p]));
        const moved = await host.place.rotateLog(rt.name);
        if (!moved.ok) {
          this.d.logger.log("warn", `pane log rotation failed: ${moved.error}`, { worker: rt.name });
          continue;
        }
        this.listed.delete(host.name); // listed again next round
        // orch's filter opens the log's name again by itself (log-rotation.ts); another pipe
        // still writes into the renamed file until the new one is open: none is lost
        if (panes.get(rt.paneId)?.logFollowsRename) {
          rotated.push(rt.name);
          continue;
        }
        await host
          .pipeLog(rt.paneId, rt.name, this.d.masking.logFilter(rt.name), true)
          .then(() => rotated.push(rt.name))
          .catch((e) =>
            this.d.logger.log("warn", `pane log not reopened: ${errorMessage(e)}`, { worker: rt.name }),
          );
      }
    }
    return rotated;
  }
}
