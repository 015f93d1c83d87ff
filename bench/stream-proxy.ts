/**
 * A pass-through HTTP proxy in front of the fake model API that notes when each reply stream's
 * last event (`response.completed`, `message_stop`) went out to the agent.
 *
 * Why: the fake API stamps a turn end (`turnEnds`) when it closes the reply stream itself. Codex
 * drops the connection as soon as it has read `response.completed`, before the fake API gets to
 * close it, so no turn end is ever stamped for it. The moment the proxy forwarded that event is
 * the turn end as the agent saw it (a few ms at most before the fake API would have closed).
 */
import { nowMs } from "./stats.ts";

/** One reply stream whose last event was forwarded. */
export interface StreamEnd {
  /** nowMs() right after the chunk holding the last event was handed to the agent's connection. */
  at: number;
  path: string;
  /** The whole event stream as text (the replies here are small). */
  text: string;
}

export interface StreamProxy {
  url: string;
  port: number;
  ends: StreamEnd[];
  stop(): Promise<void>;
}

const LAST_EVENT = /^event: (response\.completed|message_stop)$/m;

/** Starts the proxy on 127.0.0.1 forwarding everything to `upstream` (e.g. `http://127.0.0.1:1234`). */
export function startStreamProxy(upstream: string): StreamProxy {
  const ends: StreamEnd[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const headers = new Headers(req.headers);
      headers.delete("host");
      headers.delete("accept-encoding");
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      const res = await fetch(`${upstream}${url.pathname}${url.search}`, {
        method: req.method,
        headers,
        body: hasBody ? await req.arrayBuffer() : undefined,
        redirect: "manual",
      });
      const outHeaders = new Headers(res.headers);
      outHeaders.delete("content-length");
      outHeaders.delete("content-encoding");
      if (!res.body || !(res.headers.get("content-type") ?? "").includes("text/event-stream")) {
        return new Response(res.body, { status: res.status, headers: outHeaders });
      }
      const reader = res.body.getReader();
      const dec = new TextDecoder();
      let text = "";
      let ended = false;
      const stream = new ReadableStream<Uint8Array>({
        async pull(ctrl) {
          const { done, value } = await reader.read();
          if (done) {
            ctrl.close();
            return;
          }
          ctrl.enqueue(value);
          text += dec.decode(value, { stream: true });
          if (!ended && LAST_EVENT.test(text)) {
            ended = true;
            ends.push({ at: nowMs(), path: url.pathname, text });
          }
        },
        cancel() {
          reader.cancel().catch(() => undefined);
        },
      });
      return new Response(stream, { status: res.status, headers: outHeaders });
    },
  });
  const port = server.port!;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    ends,
    async stop() {
      await server.stop(true);
    },
  };
}
