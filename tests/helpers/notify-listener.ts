import { resolve } from "node:path";
import { waitFor } from "./orch-harness.ts";

const SCRIPT = resolve(import.meta.dir, "../fixtures/systemd/notify-listener.pl");

/**
 * A stand-in for systemd's notify socket: a perl process bound to a Unix datagram socket at
 * `address` (a path, or `@name` for an abstract socket) that records every datagram. Written
 * in perl, not with orch's own bun:ffi code, so that the test does not check orch against itself.
 */
export class NotifyListener {
  /** Every datagram received, in order, with its real newlines. */
  readonly messages: string[] = [];
  private readonly proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  private listening = false;
  private stderr = "";

  private constructor(readonly address: string) {
    const proc = Bun.spawn(["perl", SCRIPT, address], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
    this.proc = proc;
    void this.read();
    void (async () => {
      this.stderr = await new Response(proc.stderr).text();
    })();
  }

  /** Starts a listener and waits until it is bound. */
  static async start(address: string): Promise<NotifyListener> {
    const l = new NotifyListener(address);
    await waitFor(`the notify listener on ${address} (stderr: ${l.stderr})`, () => l.listening || l.failed());
    if (!l.listening) throw new Error(`notify listener on ${address} did not start: ${l.stderr}`);
    return l;
  }

  private failed(): boolean {
    return this.proc.exitCode !== null;
  }

  private async read(): Promise<void> {
    const dec = new TextDecoder();
    let rest = "";
    for await (const chunk of this.proc.stdout) {
      rest += dec.decode(chunk, { stream: true });
      let nl = rest.indexOf("\n");
      while (nl !== -1) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        if (!this.listening && line === "listening") this.listening = true;
        else this.messages.push(line.replace(/\\(n|\\)/g, (_, c: string) => (c === "n" ? "\n" : "\\")));
        nl = rest.indexOf("\n");
      }
    }
  }

  /** Waits until a message satisfies `match`; returns its index. */
  async waitFor(what: string, match: (m: string) => boolean, from = 0, ms = 15_000): Promise<number> {
    return (
      (await waitFor(
        `${what} on ${this.address} (got: ${JSON.stringify(this.messages)})`,
        () => {
          const i = this.messages.findIndex((m, k) => k >= from && match(m));
          return i === -1 ? null : i + 1;
        },
        ms,
      )) - 1
    );
  }

  /** Stops the listener (by its own pid). */
  async stop(): Promise<void> {
    this.proc.kill();
    await this.proc.exited;
  }
}

/** The fields of one notify message (`READY=1\nSTATUS=...`). */
export function fields(message: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of message.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}
