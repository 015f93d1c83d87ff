import { LOCAL_HOST } from "../hosts/local-host.ts";
import type { AgentPlugin, HookEvent, ScreenRules, ScreenState } from "../plugin/contract.ts";
import type { LogFeed } from "./log-feed.ts";
import type { MarkerScanner } from "./marker-scanner.ts";
import type { RecoveryHandle } from "./recover.ts";
import type { TaskOutput } from "./task-output.ts";

/** Where a live worker's pane is, between tasks and during one. */
export type WorkerPhase = "starting" | "ready" | "busy" | "settling" | "dead";

/** An interactive task in flight (detect `hook` or `screen`): what the agent has shown of it so far. */
export interface Turn {
  taskId: string;
  /** This controller framed the prompt (false for a turn resumed after a restart). */
  framed: boolean;
  /** The agent showed it took the prompt (busy screen, accepted hook, or a question). */
  accepted: boolean;
  /** The screen was seen busy since the prompt was accepted. */
  sawBusy: boolean;
  /** Enter was sent a second time because the first showed no effect. */
  retried: boolean;
  /** The submit keys have gone out (acceptance is only looked for after). */
  submitted: boolean;
  acceptTimer: ReturnType<typeof setTimeout> | null;
  /** Armed when the screen went idle under `hook` detection: the hook gets this long to come. */
  idleTimer: ReturnType<typeof setTimeout> | null;
  /** Times the prompt was sent again after a rate limit. */
  rateLimitRetries: number;
}

/** The controller's in-memory view of one worker's pane: its stream decoder and current task. */
export class WorkerRuntime {
  phase: WorkerPhase = "starting";
  /** Why the agent last died ("agent exited with status 3"), kept for the start to report. */
  deathReason: string | null = null;
  /** Set while add-worker or a revive waits for this agent: a death then is reported by that start. */
  inStart = false;
  /** Why the start cannot succeed, when a plugin member failed while it waited (named in the failure). */
  startError: string | null = null;
  paneId: string | null = null;
  windowId: string | null = null;
  scanner: MarkerScanner<TaskOutput> | null = null;
  /**
   * A task this controller framed has run to its end in this agent process (and none was
   * interrupted since): the next frame need not set up the session (TaskInput.fresh).
   */
  primed = false;
  /** The interactive task in flight, for hook and screen detection. */
  turn: Turn | null = null;
  /** What the screen showed last time it was read, by the plugin's rules. */
  screenState: ScreenState | null = null;
  lastScreen = "";
  /** Set while a screen read is scheduled, so a burst of output costs one read. */
  screenTimer: ReturnType<typeof setTimeout> | null = null;
  /** The permission prompt on screen was answered or put to a human; cleared once the screen moves on. */
  promptHandled = false;
  /** When the permission prompt on screen was first seen (for ApprovalSpec.answerDelayMs). */
  promptSeenAt = 0;
  /** A rate-limited worker resumes when this fires. */
  resumeTimer: ReturnType<typeof setTimeout> | null = null;
  /** The hook event that ended the current turn, for the plugin's result(). */
  lastHook: HookEvent | null = null;
  timer: ReturnType<typeof setTimeout> | null = null;
  /** Where the pane log ended when the current marker task was dispatched (its output is after). */
  logStart = 0;
  /**
   * Set while the pane's output is read from its log instead of live: tmux paused it (the
   * controller fell behind on it); live output is dropped meanwhile (see pane-resync.ts).
   */
  logFeed: LogFeed | null = null;
  /** Set while a task from before a restart is being finished from the pane log. */
  recovery: RecoveryHandle | null = null;
  /** When the current task was handed to the pane. */
  dispatchedAt: number | null = null;
  /** When the current task's start marker appeared. */
  startedAt: number | null = null;
  /** When the pane last printed anything (the health pass's sign of progress). */
  lastOutputAt: number | null = null;
  /** Bytes of pane output seen so far (a host's log rotation estimates log sizes from it). */
  bytesSeen = 0;
  /** A health probe waiting for the agent's answer (see AgentPlugin.probe). */
  probe: { expect: RegExp; seen: string; answered(ok: boolean): void } | null = null;
  /** The project the worker runs in (pool tasks for a project go to its workers). */
  project = "";
  /** The host its pane is on (`local`: this machine). */
  host = LOCAL_HOST;
  /** That host's labels as JSON (pool tasks that ask for labels are matched against them). */
  hostLabels = "{}";
  /** Output since the last task ended, searched for the plugin's ready pattern. */
  private readyBuf = "";
  // ignoreBOM: a U+FEFF the agent printed first is output, not a byte-order mark to drop
  private decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  readonly readyWaiters: Array<(ok: boolean) => void> = [];

  constructor(
    readonly workerId: string,
    readonly name: string,
    readonly plugin: AgentPlugin,
    readonly ready: RegExp | undefined,
  ) {}

  /** The task the worker is on, marker or interactive. */
  get currentTaskId(): string | null {
    return this.scanner?.taskId ?? this.turn?.taskId ?? null;
  }

  /** The plugin's screen rules, if it has any. */
  get screenRules(): ScreenRules | undefined {
    return this.plugin.detect.screen;
  }

  /** Decodes pane bytes; a UTF-8 character split across chunks is held until complete. */
  decode(bytes: Uint8Array): string {
    return this.decoder.decode(bytes, { stream: true });
  }

  /** Drops a character half decoded (the stream goes on from elsewhere: the log, or live). */
  resetDecoder(): void {
    this.decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  }

  /** Feeds output seen while waiting for the prompt; true once the ready pattern matched. */
  feedReady(text: string): boolean {
    if (!this.ready) return false; // readiness comes from the screen
    this.readyBuf = (this.readyBuf + text).slice(-4096);
    if (!this.ready.test(this.readyBuf)) return false;
    this.readyBuf = "";
    return true;
  }

  resetReady(): void {
    this.readyBuf = "";
  }

  /** Drops the interactive task in flight and its timers. */
  clearTurn(): void {
    if (this.turn?.acceptTimer) clearTimeout(this.turn.acceptTimer);
    if (this.turn?.idleTimer) clearTimeout(this.turn.idleTimer);
    this.turn = null;
  }

  settleWaiters(ok: boolean): void {
    for (const w of this.readyWaiters.splice(0)) w(ok);
  }

  clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.clearTurn();
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = null;
    this.recovery?.close();
    this.recovery = null;
  }
}
