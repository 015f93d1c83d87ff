import { feedFromLog } from "./log-feed.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

/** How long a resumed pane must print nothing before its worker is taken to be at its prompt. */
const QUIET_MS = 300;

export interface PaneResyncDeps {
  /** Resumes the pane's live output to the controller (tmux's `refresh-client -A`). */
  continuePane(rt: WorkerRuntime, paneId: string): void;
  /** Starts the task in flight's scanning anew (TaskFlow.rescan). */
  rescan(rt: WorkerRuntime): void;
  /** The worker's pipe-pane log (every byte its pane wrote, also while paused). */
  logFile(rt: WorkerRuntime): string;
  /** Whether `rt` is still the worker's runtime (not replaced by a reconnect, a revive, a kill). */
  current(rt: WorkerRuntime): boolean;
  /** Hands bytes to the worker's reader as if its pane had just written them (one commit). */
  feed(rt: WorkerRuntime, data: Uint8Array): void;
  readScreen(rt: WorkerRuntime): void;
  /** The worker is at its prompt: ready, and its next task goes out. */
  ready(rt: WorkerRuntime): void;
}

/**
 * What happens when tmux pauses a pane's output to the controller (control-mode flow
 * control: the controller fell `pause-after` behind on it, e.g. a task printing flat out).
 * A marker task in flight is then read from the worker's pipe-pane log instead, from where
 * the log was when the task was dispatched, a bounded amount per turn of the event loop; the
 * pane stays paused (tmux reads it at full speed, nothing waits on the controller) until the
 * log is caught up with no task in flight, then its live output is the source again. An
 * interactive agent's pane is resumed at once: its screen, not its stream, tells its state.
 */
export class PaneResync {
  constructor(private readonly d: PaneResyncDeps) {}

  /** The pane's output to the controller was paused by tmux. */
  onPaused(rt: WorkerRuntime): void {
    const paneId = rt.paneId;
    if (!paneId || rt.phase === "dead" || rt.logFeed) return;
    if (rt.plugin.detect.kind !== "marker") {
      this.d.continuePane(rt, paneId);
      if (rt.screenRules) this.d.readScreen(rt);
      return;
    }
    if (!rt.scanner) {
      this.resume(rt, paneId);
      return;
    }
    // the task's output starts again from the log: a fresh scanner finds its markers there
    this.d.rescan(rt);
    rt.resetDecoder();
    const gone = () => rt.phase === "dead" || rt.paneId !== paneId || !this.d.current(rt);
    const feed = feedFromLog(
      this.d.logFile(rt),
      rt.logStart,
      (data) => {
        if (rt.logFeed !== feed) return;
        if (gone()) this.stop(rt);
        else this.d.feed(rt, data);
      },
      () => {
        if (rt.logFeed !== feed) return;
        if (gone()) this.stop(rt);
        else if (!rt.scanner) {
          this.stop(rt);
          this.resume(rt, paneId);
        }
      },
    );
    rt.logFeed = feed;
  }

  private stop(rt: WorkerRuntime): void {
    rt.logFeed?.close();
    rt.logFeed = null;
    rt.resetDecoder();
  }

  /**
   * Live output again, from what the pane writes next. A worker still waiting for its prompt
   * may have printed it while paused, and the log holds no line without its LF yet (the mask
   * filter keeps it): once the pane has been quiet for a moment, the worker is taken to be at
   * its prompt, as when a task is finished from the log after a restart (task-recovery.ts).
   */
  private resume(rt: WorkerRuntime, paneId: string): void {
    this.d.continuePane(rt, paneId);
    const look = () => {
      if (rt.scanner || rt.logFeed || rt.paneId !== paneId || !this.d.current(rt)) return;
      if (rt.phase !== "settling" && rt.phase !== "starting") return;
      if (Date.now() - (rt.lastOutputAt ?? 0) < QUIET_MS) setTimeout(look, QUIET_MS);
      else this.d.ready(rt);
    };
    setTimeout(look, QUIET_MS);
  }
}
