import { errorMessage } from "../domain/result.ts";
import { yieldTurn } from "../runtime/next-turn.ts";
import { type ControlMessage, ControlParser, type TmuxNotification } from "./control-parser.ts";
import { TmuxCommandError, TmuxTimeoutError, TmuxUnavailableError } from "./errors.ts";
import type { ControlTransport, TransportFactory } from "./transport.ts";

/** How long the handling of tmux's output may run before the event loop gets a turn. */
const TURN_BUDGET_MS = 4;

interface Pending {
  command: string;
  /** Answer blocks still to come: a command list gets one per command, up to its first error. */
  blocks: number;
  /** Lines of the blocks answered so far. */
  lines: string[];
  resolve: (lines: string[]) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout> | null;
  settled: boolean;
}

export interface ControlClientHandlers {
  /** Raw bytes a pane wrote (already octal-unescaped). */
  onOutput?: (paneId: string, data: Uint8Array) => void;
  onNotification?: (event: TmuxNotification) => void;
  /**
   * Wraps the handling of all messages from one read, e.g. in one store transaction, so
   * that what they change is committed together (a group commit).
   */
  around?: (handle: () => void) => void;
  /** A handler threw; the connection goes on. */
  onHandlerError?: (e: Error) => void;
  /** The connection ended (server gone, `%exit`, or close()). */
  onClose?: (reason: string) => void;
}

/**
 * One persistent `tmux -C` connection. Commands are pipelined: each is written at once and
 * matched to its `%begin/%end|%error` answer in the order sent; each has its own deadline.
 *
 * @example
 * const client = new ControlClient(() => spawnTmuxControl(sock, "agent-system"), { onOutput });
 * await client.connect();
 * const lines = await client.run('list-panes -s -F "#{pane_id}"');
 */
export class ControlClient {
  private transport: ControlTransport | null = null;
  private readonly pending: Pending[] = [];
  private closedReason: string | null = "not connected";
  private buffered = "";
  private onAttached: (() => void) | null = null;
  private flushScheduled = false;

  constructor(
    private readonly factory: TransportFactory,
    private readonly handlers: ControlClientHandlers,
    private readonly defaultTimeoutMs = 5000,
  ) {}

  get connected(): boolean {
    return this.closedReason === null;
  }

  /**
   * Starts the transport and resolves once tmux has attached this client (its own `%begin`
   * block with flags 0 arrived) and answered a first command. Until the attach, commands
   * that need a current client (e.g. `refresh-client`) would fail.
   */
  async connect(timeoutMs = this.defaultTimeoutMs): Promise<void> {
    if (this.connected) return;
    const transport = this.factory();
    this.transport = transport;
    this.closedReason = null;
    const attached = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TmuxTimeoutError("attach-session", timeoutMs)), timeoutMs);
      this.onAttached = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    void this.readLoop(transport);
    void transport.exited.then((code) => {
      if (this.transport === transport)
        this.shutdown(`tmux control client exited (${code}) ${transport.stderr().trim()}`.trim());
    });
    await Promise.race([
      attached,
      transport.exited.then(() =>
        Promise.reject(new TmuxUnavailableError(transport.stderr().trim() || "tmux exited")),
      ),
    ]);
    await this.run("display-message -p ok");
  }

  /** Sends one command line; resolves with its output lines, rejects on `%error` or timeout. */
  run(command: string, timeoutMs = this.defaultTimeoutMs): Promise<string[]> {
    return this.send(command, 1, timeoutMs);
  }

  /**
   * Sends commands as one line (a tmux command list): tmux runs them together, none of
   * another line between them, so either all of them ran or, after one that failed, none of
   * the rest. Resolves with their output lines joined; rejects with the first error.
   *
   * @example
   * await client.runList(["send-keys -t %3 Enter", "set-option -p -t %3 @orch_sent t1.1"]);
   */
  runList(commands: string[], timeoutMs = this.defaultTimeoutMs): Promise<string[]> {
    return this.send(commands.join(" ; "), commands.length, timeoutMs);
  }

  private send(command: string, blocks: number, timeoutMs: number): Promise<string[]> {
    if (this.closedReason !== null || !this.transport) {
      return Promise.reject(new TmuxUnavailableError(this.closedReason ?? "not connected"));
    }
    return new Promise<string[]>((resolve, reject) => {
      const p: Pending = { command, blocks, lines: [], resolve, reject, timer: null, settled: false };
      if (timeoutMs > 0) {
        p.timer = setTimeout(() => {
          // The answer still comes in order later; keep the slot, just settle now.
          p.settled = true;
          reject(new TmuxTimeoutError(command, timeoutMs));
        }, timeoutMs);
      }
      this.pending.push(p);
      this.write(`${command}\n`);
    });
  }

  /** Closes the connection; pending commands fail. */
  close(): void {
    this.shutdown("closed by orch");
  }

  private write(text: string): void {
    this.buffered += text;
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      const out = this.buffered;
      this.buffered = "";
      try {
        this.transport?.write(out);
      } catch (e) {
        this.shutdown(`cannot write to tmux: ${errorMessage(e)}`);
      }
    });
  }

  private async readLoop(transport: ControlTransport): Promise<void> {
    const parser = new ControlParser();
    let turnStart = performance.now();
    try {
      for await (const chunk of transport.output) {
        // A pane printing flat out keeps the pipe full, and reading it never leaves the
        // microtask queue: after a turn's budget, let timers, the API and other I/O run (tmux
        // holds the rest meanwhile, and stops reading a pane this client is behind on).
        if (performance.now() - turnStart > TURN_BUDGET_MS) {
          await yieldTurn();
          turnStart = performance.now();
        }
        const messages = parser.push(chunk);
        const handle = () => {
          for (const msg of messages) {
            try {
              this.dispatch(msg);
            } catch (e) {
              // a handler's bug must not end the connection every worker depends on
              this.handlers.onHandlerError?.(e as Error);
            }
          }
        };
        // a read of command answers only (a host's ping) changes nothing that needs a commit:
        // what awaits them runs in later microtasks, outside `around` anyway
        if (this.handlers.around && messages.some((m) => m.kind !== "response")) this.handlers.around(handle);
        else handle();
      }
    } catch {
      // the stream ends with the process; exited() reports why
    }
    if (this.transport === transport)
      this.shutdown(`tmux control connection closed ${transport.stderr().trim()}`.trim());
  }

  private dispatch(msg: ControlMessage): void {
    switch (msg.kind) {
      case "output":
        this.handlers.onOutput?.(msg.paneId, msg.data);
        return;
      case "notification":
        if (msg.event.type === "exit") {
          this.shutdown(`tmux said %exit${msg.event.reason ? `: ${msg.event.reason}` : ""}`);
          return;
        }
        this.handlers.onNotification?.(msg.event);
        return;
      case "response": {
        if (msg.flags === 0) {
          // not a command of ours: the first one is the attach itself
          this.onAttached?.();
          this.onAttached = null;
          return;
        }
        const p = this.pending[0];
        if (!p) return;
        // a command list answers once per command; after an error tmux skips the rest
        if (msg.ok && --p.blocks > 0) {
          p.lines.push(...msg.lines);
          return;
        }
        this.pending.shift();
        if (p.timer) clearTimeout(p.timer);
        if (p.settled) return;
        p.settled = true;
        if (msg.ok) p.resolve(p.lines.length ? [...p.lines, ...msg.lines] : msg.lines);
        else p.reject(new TmuxCommandError(p.command, msg.lines));
      }
    }
  }

  private shutdown(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    const t = this.transport;
    this.transport = null;
    t?.close();
    for (const p of this.pending.splice(0)) {
      if (p.timer) clearTimeout(p.timer);
      if (!p.settled) p.reject(new TmuxUnavailableError(reason));
    }
    this.handlers.onClose?.(reason);
  }
}
