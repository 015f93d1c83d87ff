import { TmuxUnavailableError } from "./errors.ts";
import type { NewWindowOptions, PaneInfo } from "./operations.ts";
import type { PaneOps, PaneTag } from "./pane-ops.ts";

/** One thing typed into a pane, in the order it was sent: keystrokes out. */
export type Stroke =
  | { op: "paste"; paneId: string; text: string }
  | { op: "text"; paneId: string; text: string }
  | { op: "keys"; paneId: string; keys: string[] };

/** The {@link PaneOps} members a test can make fail (tmux refusing, the pane gone). */
export type PaneOpName = keyof PaneOps;

/**
 * A pane without tmux, for tests of the flows and for `orch plugin test`: it records every
 * paste, typed text and key (keystrokes out), answers `capture()` with the screen a script
 * set, and hands the output a script pushes to whoever listens (as tmux's `%output` would).
 * Nothing runs in it: what the "agent" shows is what the script says, when it says it.
 *
 * @example
 * ```ts
 * const pane = new ScriptedPane();
 * pane.onOutput = (paneId, bytes) => reader.onOutput(rt, bytes);
 * pane.setScreen("%1", "❯ \n? for shortcuts");
 * pane.output("%1", "lite$ ");
 * await pane.waitForStroke((s) => s.op === "keys" && s.keys.includes("Enter"), 2000, "the submit key");
 * ```
 */
export class ScriptedPane implements PaneOps {
  /** Pastes, typed text and keys, oldest first. */
  readonly strokes: Stroke[] = [];
  /** Every call by member name with its arguments (windows made, options set, pipes opened). */
  readonly calls: Array<{ op: PaneOpName; args: unknown[] }> = [];
  /** What `listPanes()` answers; a test edits it (a pane dead, gone, another pid). */
  panes: PaneInfo[] = [];
  /** Where pushed output goes: the reader of the flows under test. */
  onOutput: ((paneId: string, data: Uint8Array) => void) | null = null;
  private readonly screens = new Map<string, string>();
  private readonly failures = new Map<PaneOpName, { message: string; linkLost: boolean }>();
  private readonly listeners = new Set<(s: Stroke) => void>();
  private nextPane = 1;

  /** The screen `capture(paneId)` answers from now on. */
  setScreen(paneId: string, screen: string): void {
    this.screens.set(paneId, screen);
  }

  /** Pushes what the pane printed into the flow, as one `%output` line would. */
  output(paneId: string, data: string | Uint8Array): void {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    this.onOutput?.(paneId, bytes);
  }

  /** The next call of `op` rejects with `message` (tmux refused it, the pane is gone). */
  failNext(op: PaneOpName, message: string, opts: { linkLost?: boolean } = {}): void {
    this.failures.set(op, { message, linkLost: opts.linkLost ?? false });
  }

  /** Calls `fn` for each stroke from now on (a scripted agent reacting to its keys); returns an unsubscribe. */
  onStroke(fn: (s: Stroke) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The key lists sent with `sendKeys`, in order. */
  keysSent(paneId?: string): string[][] {
    return this.strokes
      .filter((s): s is Extract<Stroke, { op: "keys" }> => s.op === "keys")
      .filter((s) => paneId === undefined || s.paneId === paneId)
      .map((s) => s.keys);
  }

  /**
   * Resolves with the first stroke (already sent or still to come) that `match` accepts;
   * rejects after `ms` naming `what` and the strokes seen.
   */
  waitForStroke(match: (s: Stroke) => boolean, ms: number, what: string): Promise<Stroke> {
    const seen = this.strokes.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${what} within ${ms} ms; keystrokes so far: ${describeStrokes(this.strokes)}`));
      }, ms);
      const off = this.onStroke((s) => {
        if (!match(s)) return;
        clearTimeout(timer);
        off();
        resolve(s);
      });
    });
  }

  private record(op: PaneOpName, args: unknown[]): void {
    this.calls.push({ op, args });
    const failure = this.failures.get(op);
    if (failure === undefined) return;
    this.failures.delete(op);
    // linkLost: the control connection went away, as TmuxOps reports it
    throw failure.linkLost ? new TmuxUnavailableError(failure.message) : new Error(failure.message);
  }

  private stroke(s: Stroke): void {
    this.strokes.push(s);
    for (const l of [...this.listeners]) l(s);
  }

  async newWindow(o: NewWindowOptions): Promise<{ paneId: string; windowId: string }> {
    this.record("newWindow", [o]);
    const n = this.nextPane++;
    const pane = { paneId: `%${n}`, windowId: `@${n}` };
    this.panes.push({
      ...pane,
      windowName: o.name,
      pid: 0,
      dead: false,
      deadStatus: null,
      deadSignal: null,
      workerId: null,
      piped: false,
      sent: null,
    });
    return pane;
  }

  async setPaneOption(paneId: string, key: string, value: string): Promise<void> {
    this.record("setPaneOption", [paneId, key, value]);
    const p = this.panes.find((x) => x.paneId === paneId);
    if (p && key === "@orch_worker") p.workerId = value;
    if (p && key === "@orch_sent") p.sent = value;
  }

  /** Sets a tag as tmux would, with the keys that carry it (it is not part of the recorded call). */
  private tag(paneId: string, tag: PaneTag | undefined): void {
    const p = this.panes.find((x) => x.paneId === paneId);
    if (p && tag?.option === "@orch_sent") p.sent = tag.value;
  }

  async respawnPane(paneId: string, o: Omit<NewWindowOptions, "name">): Promise<void> {
    this.record("respawnPane", [paneId, o]);
    const p = this.panes.find((x) => x.paneId === paneId);
    if (p) Object.assign(p, { dead: false, deadStatus: null });
  }

  async killWindow(windowOrPaneId: string): Promise<void> {
    this.record("killWindow", [windowOrPaneId]);
    this.panes = this.panes.filter((p) => p.paneId !== windowOrPaneId && p.windowId !== windowOrPaneId);
  }

  async sendText(paneId: string, text: string): Promise<void> {
    this.record("sendText", [paneId, text]);
    this.stroke({ op: "text", paneId, text });
  }

  async paste(paneId: string, text: string, tag?: PaneTag): Promise<void> {
    this.record("paste", [paneId, text]);
    this.tag(paneId, tag);
    this.stroke({ op: "paste", paneId, text });
  }

  async sendKeys(paneId: string, keys: string[], tag?: PaneTag): Promise<void> {
    this.record("sendKeys", [paneId, keys]);
    this.tag(paneId, tag);
    this.stroke({ op: "keys", paneId, keys: [...keys] });
  }

  async capture(paneId: string, opts?: { history?: boolean }): Promise<string> {
    this.record("capture", [paneId, opts]);
    return this.screens.get(paneId) ?? "";
  }

  async pipeToFile(paneId: string, file: string, filter?: string[] | null): Promise<void> {
    this.record("pipeToFile", [paneId, file, filter]);
    const p = this.panes.find((x) => x.paneId === paneId);
    if (p) p.piped = true;
  }

  async closePipe(paneId: string): Promise<void> {
    this.record("closePipe", [paneId]);
    const p = this.panes.find((x) => x.paneId === paneId);
    if (p) p.piped = false;
  }

  async listPanes(): Promise<PaneInfo[]> {
    this.record("listPanes", []);
    return this.panes.map((p) => ({ ...p }));
  }
}

/** Strokes as a short line for failure messages: `paste "ls" · keys Enter`. */
export function describeStrokes(strokes: readonly Stroke[]): string {
  if (strokes.length === 0) return "(none)";
  return strokes
    .map((s) =>
      s.op === "keys" ? `keys ${s.keys.join(" ")}` : `${s.op} ${JSON.stringify(s.text).slice(0, 80)}`,
    )
    .join(" · ");
}
