import type { Logger } from "./logger.ts";
import { callClassifyScreen } from "./plugin-boundary.ts";
import { probeOutput } from "./probe.ts";
import type { TaskFlow } from "./task-flow.ts";
import type { TmuxHost } from "./tmux-host.ts";
import type { TurnFlow } from "./turn-flow.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

/** How long pane output must settle before the screen is read for the plugin's rules. */
const SCREEN_DEBOUNCE_MS = 40;

export interface PaneReaderDeps {
  /** The tmux host (only its current operations are used; a test hands in a scripted pane). */
  host: Pick<TmuxHost, "ops">;
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
  constructor(private readonly d: PaneReaderDeps) {}

  /** Bytes a worker's pane wrote. */
  onOutput(rt: WorkerRuntime, data: Uint8Array): void {
    rt.lastOutputAt = Date.now();
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
      screen = await this.d.host.ops.capture(rt.paneId);
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
