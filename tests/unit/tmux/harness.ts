/**
 * Test helpers: a private tmux server on a temp socket and a raw `tmux -C` client on it. Used by
 * the quote round-trip test and by record-fixtures.ts; every wait has a deadline.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ControlMessage, ControlParser } from "../../../src/core/tmux/control-parser.ts";

export type Response = Extract<ControlMessage, { kind: "response" }>;

/** A stable environment: UTF-8 locale, sh as the pane shell, not nested in another tmux. */
export function tmuxEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("TMUX")) env[k] = v;
  return { ...env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8", SHELL: "/bin/sh", PS1: "$ " };
}

/** A tmux server on its own socket; `kill()` stops it (by socket) and removes the temp dir. */
export class TmuxServer {
  readonly dir = mkdtempSync(join(tmpdir(), "orch-tmux-"));
  readonly socket = join(this.dir, "tmux.sock");

  /** Starts the server with one detached session running `command` (default: a long sleep). */
  constructor(session: string, command = "exec sleep 100000") {
    this.run("-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command);
  }

  /** Runs one tmux CLI command against this server; throws when it fails. */
  run(...args: string[]): string {
    const r = Bun.spawnSync(["tmux", "-S", this.socket, ...args], { env: tmuxEnv() });
    if (r.exitCode !== 0) throw new Error(`tmux ${args.join(" ")} failed: ${r.stderr.toString()}`);
    return r.stdout.toString();
  }

  kill(): void {
    Bun.spawnSync(["tmux", "-S", this.socket, "kill-server"], { env: tmuxEnv() });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A `tmux -u -C attach` client that keeps every raw byte and every parsed message. */
export class ControlClient {
  readonly raw: Uint8Array[] = [];
  readonly messages: ControlMessage[] = [];
  readonly exited: Promise<number>;
  /** Resolves when tmux has answered the attach itself (the first response with flags 0).
   * Commands sent before that run without a current client (`refresh-client` then fails). */
  readonly attached: Promise<void>;
  private onAttached: () => void = () => {};
  private readonly proc;
  private readonly parser = new ControlParser();
  private readonly pending: ((r: Response) => void)[] = [];
  private waiters: { check: () => boolean; done: () => void }[] = [];
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;
  private eof = false;

  constructor(server: TmuxServer, session: string) {
    this.proc = Bun.spawn(["tmux", "-u", "-S", server.socket, "-C", "attach", "-t", session], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      env: tmuxEnv(),
    });
    this.exited = this.proc.exited;
    this.attached = withDeadline(
      new Promise<void>((resolve) => {
        this.onAttached = resolve;
      }),
      10_000,
      "the control client to attach",
    );
    void this.read();
  }

  private async read(): Promise<void> {
    const reader = this.proc.stdout.getReader();
    for (;;) {
      if (this.gate) await this.gate;
      const { done, value } = await reader.read();
      if (done) break;
      this.raw.push(value);
      for (const msg of this.parser.push(value)) {
        this.messages.push(msg);
        if (msg.kind === "response" && msg.flags === 1) this.pending.shift()?.(msg);
        if (msg.kind === "response" && msg.flags === 0) this.onAttached();
      }
      this.settle();
    }
    this.eof = true;
    this.settle();
  }

  private settle(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.check() && !this.eof) return true;
      w.done();
      return false;
    });
  }

  /** Sends one command line without waiting for its answer. */
  send(line: string): void {
    this.proc.stdin.write(`${line}\n`);
    this.proc.stdin.flush();
  }

  /** Sends a command and resolves with its response (answers come in the order sent). */
  command(line: string, ms = 10_000): Promise<Response> {
    const answer = new Promise<Response>((resolve) => this.pending.push(resolve));
    this.send(line);
    return withDeadline(answer, ms, `an answer to ${JSON.stringify(line.slice(0, 100))}`);
  }

  /** Resolves once `check()` holds (re-checked after every chunk read), or stdout has closed. */
  waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
    if (check() || this.eof) return Promise.resolve();
    return withDeadline(new Promise<void>((done) => this.waiters.push({ check, done })), ms, what);
  }

  /** Stops reading stdout (so tmux's buffer for this client ages) until `resumeReading()`. */
  pauseReading(): void {
    this.gate = new Promise((open) => {
      this.openGate = open;
    });
  }

  resumeReading(): void {
    this.gate = null;
    this.openGate?.();
  }

  /** Everything read so far, as one byte array. */
  bytes(): Uint8Array {
    return Buffer.concat(this.raw);
  }

  /** Closes stdin (tmux then exits) and waits for the process. */
  async close(ms = 10_000): Promise<number> {
    this.resumeReading();
    this.proc.stdin.end();
    return withDeadline(this.exited, ms, "the control client to exit");
  }
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
