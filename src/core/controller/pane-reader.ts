import type { Store } from "../store/index.ts";
import type { Logger } from "./logger.ts";
import { PaneResync } from "./pane-resync.ts";
import { callClassifyScreen } from "./plugin-boundary.ts";
import { probeOutput } from "./probe.ts";
import type { TaskFlow } from "./task-flow.ts";
import type { TmuxHost } from "./tmux-host.ts";
import type { TurnFlow } from "./turn-flow.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

/** How long pane output must settle before the screen is read for the plugin's rules. */
const SCREEN_DEBOUNCE_MS = 40;

export interface PaneReaderDeps {
  /**
   * The tmux host a worker's pane is on (its current operations, and resuming paused panes; a
   * test hands in a scripted pane).
   */
  host(rt: WorkerRuntime): Pick<TmuxHost, "ops"> & Partial<Pick<TmuxHost, "continuePane">>;
  /** Output is handled in one commit per read (without a store: as it comes). */
  store?: Store;
  /** The worker's pipe-pane log: a paused pane's output is read from there (see pane-resync.ts). */
  logOf?(rt: WorkerRuntime): string;
  /** The controller's workers by name: a runtime no longer there (replaced, killed) is not fed. */
  runtimes?: Map<string, WorkerRuntime>;
  flow: TaskFlow;
  turns: TurnFlow;
  logger: Logger;
}

/**
 * What a worker's pane shows, handed to the flows: its output stream (a probe's answer, the
 * task markers, the ready sign) to the task flow, and for agents with screen rules its
 * screen, read once a burst of output settles (never on a timer), to the turn flow.
 */
export class PaneReader {
  private readonly resync: PaneResync | null;

  constructor(private readonly d: PaneReaderDeps) {
    const { host, logOf } = d;
    this.resync = logOf
      ? new PaneResync({
          continuePane: (rt, paneId) => host(rt).continuePane?.(paneId),
          rescan: (rt) => d.flow.rescan(rt),
          logFile: logOf,
          current: (rt) => !d.runtimes || d.runtimes.get(rt.name) === rt,
          feed: (rt, data) => this.around(() => this.read(rt, data)),
          readScreen: (rt) => void this.readScreen(rt),
          ready: (rt) => this.around(() => d.flow.promptSeen(rt)),
        })
      : null;
  }

  /**
   * One commit for everything a read of pane output changes (finished tasks, next
   * dispatches); waiters are answered and keys sent in later microtasks, after it.
   */
  around(handle: () => void): void {
    if (!this.d.store) handle();
    else
      this.d.store.transaction(() => {
        handle();
        this.d.flow.flushIdle();
      });
  }

  /** tmux paused the pane's output to the controller (it fell behind on it). */
  onPaused(rt: WorkerRuntime): void {
    this.d.logger.log("info", "tmux paused the pane's output (orch fell behind on it)", {
      worker: rt.name,
      task: rt.currentTaskId,
    });
    if (this.resync) this.resync.onPaused(rt);
    else if (rt.paneId) this.d.host(rt).continuePane?.(rt.paneId);
  }

  /** Bytes a worker's pane wrote (dropped while its log is the source: see pane-resync.ts). */
  onOutput(rt: WorkerRuntime, data: Uint8Array): void {
    if (rt.logFeed) return;
    this.read(rt, data);
  }

  /** Bytes of a worker's pane, live or from its log, to the flows. */
  read(rt: WorkerRuntime, data: Uint8Array): void {
    rt.lastOutputAt = Date.now();
    rt.bytesSeen += data.length;
    const text = probeOutput(rt, rt.decode(data));
    if (text === null) return;
    this.d.flow.onText(rt, text);
    if (rt.screenRules && !rt.screenTimer && rt.phase !== "dead") {
      rt.screenTimer = setTimeout(() => {
        rt.screenTimer = null;
        void this.readScreen(rt);
      }, SCREEN_DEBOUNCE_MS);
    }
  }

  /** Captures the worker's screen and hands what it shows, by the plugin's rules, to the turn flow. */
  async readScreen(rt: WorkerRuntime): Promise<void> {
    if (!rt.screenRules || !rt.paneId || rt.phase === "dead") return;
    let screen: string;
    try {
      screen = await this.d.host(rt).ops.capture(rt.paneId);
    } catch {
      return; // the pane is gone; liveness reports it
    }
    const state = callClassifyScreen(rt.plugin, screen);
    if (state.ok) {
      this.d.turns.onScreen(rt, state.value, screen);
      return;
    }
    this.d.logger.log("error", state.error, { worker: rt.name });
    rt.lastScreen = screen;
    if (rt.turn) this.d.turns.pluginFailed(rt, state.error);
    else if (rt.inStart) {
      // the start cannot tell the agent is ready: it fails now, naming the plugin
      rt.startError = state.error;
      rt.settleWaiters(false);
    }
  }
}
