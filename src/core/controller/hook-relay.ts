import { rmSync } from "node:fs";
import { z } from "zod";
import { parseHookPayload } from "../domain/hook-payload.ts";
import { errorMessage, type Result } from "../domain/result.ts";
import type { HookEvent } from "../plugin/contract.ts";
import { serveUnix, type UnixServer } from "../runtime/serve-unix.ts";
import { answer, problem } from "./api-http.ts";

/** The largest hook payload taken (a Stop hook carries the last answer: it may be long). */
const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

const relayRequest = z.object({
  worker: z.string().min(1).max(200),
  event: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_.:-]+$/, "expected an event name of letters, digits, _ . : -"),
});

export interface HookRelayDeps {
  /** The host a worker is on (undefined: no such worker). */
  hostOf(worker: string): string | undefined;
  /** Hands the event to the worker (WorkerDesk.hook). */
  hook(worker: string, e: HookEvent): Result<void>;
}

/**
 * The controller's end of a host's hook socket: the helper an agent's hook runs there posts
 * `POST /hook/WORKER/EVENT` with the payload as it came, ssh forwards it to this Unix socket
 * (owner only), and the event reaches the worker as `orch hook` would bring it. It answers
 * nothing else, and only for workers on its own host: a host reaches no other part of the API.
 */
export class HookRelay {
  private server: UnixServer | null = null;

  constructor(
    readonly host: string,
    /** The socket's path here. */
    readonly socket: string,
    private readonly d: HookRelayDeps,
  ) {}

  /** Listens (once; a socket a controller before left is replaced). */
  listen(): void {
    if (this.server) return;
    rmSync(this.socket, { force: true });
    this.server = serveUnix(this.socket, (req) => this.handle(req));
  }

  /** Stops listening and removes the socket. */
  close(): void {
    this.server?.stop();
    this.server = null;
    rmSync(this.socket, { force: true });
  }

  private async handle(req: Request): Promise<Response> {
    const m = /^\/hook\/([^/]+)\/([^/]+)$/.exec(new URL(req.url).pathname);
    if (req.method !== "POST" || !m)
      return problem(
        "not_found",
        `expected POST /hook/WORKER/EVENT, got ${req.method} ${new URL(req.url).pathname}`,
      );
    let names: unknown;
    try {
      names = { worker: decodeURIComponent(m[1]!), event: decodeURIComponent(m[2]!) };
    } catch (e) {
      return problem("bad_input", `bad percent-encoding in ${m[0]}: ${errorMessage(e)}`);
    }
    const r = relayRequest.safeParse(names);
    if (!r.success)
      return problem("bad_input", r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    const { worker, event } = r.data;
    if (this.d.hostOf(worker) !== this.host)
      return problem("not_found", `no worker "${worker}" on host ${this.host}`);
    const tooBig = (n: number) =>
      problem("bad_input", `hook payload of ${n} bytes; at most ${MAX_PAYLOAD_BYTES} are taken`);
    const length = Number(req.headers.get("content-length") ?? 0);
    if (length > MAX_PAYLOAD_BYTES) return tooBig(length);
    const text = await req.text(); // a chunked body says no length up front
    if (text.length > MAX_PAYLOAD_BYTES) return tooBig(Buffer.byteLength(text));
    const payload = parseHookPayload(text);
    return answer(this.d.hook(worker, { event, payload }), () => ({ ok: true }));
  }
}
