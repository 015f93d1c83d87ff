import type { AgentPlugin } from "../plugin/contract.ts";
import type { MarkerScanner } from "./marker-scanner.ts";
import type { RecoveryHandle } from "./recover.ts";

/** Where a live worker's pane is, between tasks and during one. */
export type WorkerPhase = "starting" | "ready" | "busy" | "settling" | "dead";

/** The controller's in-memory view of one worker's pane: its stream decoder and current task. */
export class WorkerRuntime {
  phase: WorkerPhase = "starting";
  paneId: string | null = null;
  windowId: string | null = null;
  scanner: MarkerScanner | null = null;
  timer: ReturnType<typeof setTimeout> | null = null;
  /** Set while a task from before a restart is being finished from the pane log. */
  recovery: RecoveryHandle | null = null;
  /** When the current task was handed to the pane. */
  dispatchedAt: number | null = null;
  /** When the current task's start marker appeared. */
  startedAt: number | null = null;
  /** Output since the last task ended, searched for the plugin's ready pattern. */
  private readyBuf = "";
  private readonly decoder = new TextDecoder("utf-8");
  readonly readyWaiters: Array<(ok: boolean) => void> = [];

  constructor(
    readonly workerId: string,
    readonly name: string,
    readonly plugin: AgentPlugin,
    readonly ready: RegExp,
  ) {}

  /** Decodes pane bytes; a UTF-8 character split across chunks is held until complete. */
  decode(bytes: Uint8Array): string {
    return this.decoder.decode(bytes, { stream: true });
  }

  /** Feeds output seen while waiting for the prompt; true once the ready pattern matched. */
  feedReady(text: string): boolean {
    this.readyBuf = (this.readyBuf + text).slice(-4096);
    if (!this.ready.test(this.readyBuf)) return false;
    this.readyBuf = "";
    return true;
  }

  resetReady(): void {
    this.readyBuf = "";
  }

  settleWaiters(ok: boolean): void {
    for (const w of this.readyWaiters.splice(0)) w(ok);
  }

  clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.recovery?.close();
    this.recovery = null;
  }
}
