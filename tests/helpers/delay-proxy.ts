/**
 * A TCP proxy on 127.0.0.1 that delays every chunk by a fixed time in each direction, keeping
 * their order: how the tests and the bench give a link latency (this kernel has no netem).
 * A round trip through it costs 2 x `oneWayMs` more.
 *
 * @example
 * const proxy = await startDelayProxy({ host: "10.213.7.2", port: 22 }, 25);
 * // ssh -p proxy.port 127.0.0.1 ... now sees ~50 ms more round trip
 * proxy.close();
 */
import { createConnection, createServer, type Socket } from "node:net";

export interface DelayProxy {
  port: number;
  close(): void;
}

/** Forwards one direction, each chunk `ms` after it arrived, in order. */
function delayed(from: Socket, to: Socket, ms: number): void {
  from.on("data", (chunk) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, ms);
  });
  from.on("end", () => setTimeout(() => to.end(), ms));
  from.on("error", () => to.destroy());
}

export function startDelayProxy(
  target: { host: string; port: number },
  oneWayMs: number,
): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(target);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on("close", () => sockets.delete(s));
    }
    delayed(client, upstream, oneWayMs);
    delayed(upstream, client, oneWayMs);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      if (typeof a !== "object" || !a) return reject(new Error("the delay proxy has no port"));
      resolve({
        port: a.port,
        close() {
          for (const s of sockets) s.destroy();
          server.close();
        },
      });
    });
  });
}
