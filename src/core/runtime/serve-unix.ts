import { chmodSync } from "node:fs";

/** A running HTTP server on a Unix socket. */
export interface UnixServer {
  stop(): void;
}

/** What a handler can do for one request beyond answering it. */
export interface RequestControl {
  /** Lets a long-lived response (a followed log) stay open past the idle timeout. */
  keepOpen(req: Request): void;
}

/**
 * Serves HTTP on the Unix socket `path`, readable and writable by the owner only (0600).
 *
 * @example
 * const server = serveUnix("/run/orch.sock", async (req) => Response.json({ ok: true }));
 */
export function serveUnix(
  path: string,
  fetch: (req: Request, ctl: RequestControl) => Promise<Response>,
): UnixServer {
  const server = Bun.serve({
    unix: path,
    // no idle timeout (Bun's default cuts a request off after 10 s): a worker's start or kill
    // may wait longer than that for its agent and the plugin's startup()/cleanup(), and the
    // CLI must still get the answer. (Bun 1.4's per-request `timeout(req, 0)` does not hold;
    // its types know `idleTimeout` only for a port, the server honours it on a socket too.)
    ...({ idleTimeout: 0 } as object),
    fetch: (req, srv) => fetch(req, { keepOpen: (r) => srv.timeout(r, 0) }),
  });
  chmodSync(path, 0o600);
  return { stop: () => void server.stop(true) };
}
