/**
 * Waiting commands (`send --wait`, `task --wait`, `orch run`, `events -f`, `logs -f`) outlive a
 * restart of the controller (`orch stop; orch start`, systemd's restart, an upgrade): when the
 * controller of their ORCH_HOME stops answering, they try again with a growing pause until one
 * answers, for at most the reconnect window (`ORCH_RECONNECT_WAIT` seconds, default 60), and
 * then carry on where they were. Only a request that cannot have changed anything is tried
 * again (each waiting call is a read); a client that gives up exits 3 saying how long it waited.
 *
 * @example
 * ```ts
 * const t = await reconnecting(ctx, () => ctx.api.call<TaskJson>("GET", `/v1/tasks/${id}?wait=5000`));
 * ```
 */
import { setTimeout as sleepMs } from "node:timers/promises";
import { CliError, EXIT } from "./exit-codes.ts";
import { err } from "./stdio.ts";

/** The controller did not answer: nothing listens on its socket, or it went away mid-answer. */
export class ControllerGone extends CliError {
  constructor(
    message: string,
    /** The request may have reached the controller (the connection broke after it was sent). */
    readonly maybeSent: boolean,
  ) {
    super(message, EXIT.unavailable);
    this.name = "ControllerGone";
  }
}

/** Error codes of a connection nobody listens on (the request was never sent). */
const NOT_LISTENING = new Set(["ENOENT", "ECONNREFUSED", "ConnectionRefused", "FailedToOpenSocket"]);
/** Error codes of a connection closed under a request or an answer. */
const CLOSED = new Set(["ECONNRESET", "EPIPE", "ConnectionClosed", "ECONNABORTED"]);

/** The thrown `e` as a {@link ControllerGone} when it says the controller did not answer, else null. */
export function controllerGone(e: unknown, socket: string): ControllerGone | null {
  if (e instanceof ControllerGone) return e;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return null;
  if (NOT_LISTENING.has(code))
    return new ControllerGone(
      `orch is not running (no controller answers on ${socket}): run 'orch start'`,
      false,
    );
  if (CLOSED.has(code))
    return new ControllerGone(`the controller on ${socket} went away while answering (${code})`, true);
  return null;
}

/** Seconds a client waits for a controller that went away, unless `ORCH_RECONNECT_WAIT` says otherwise. */
export const DEFAULT_RECONNECT_WAIT_SEC = 60;

/** The reconnect window in ms, from `ORCH_RECONNECT_WAIT` (seconds, 0 or more); a bad value is a usage error. */
export function reconnectWindowMs(env: Record<string, string | undefined>): number {
  const raw = env.ORCH_RECONNECT_WAIT;
  if (raw === undefined || raw === "") return DEFAULT_RECONNECT_WAIT_SEC * 1000;
  const sec = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !Number.isFinite(sec))
    throw new CliError(`ORCH_RECONNECT_WAIT ${JSON.stringify(raw)}: expected seconds, 0 or more`, EXIT.usage);
  return sec * 1000;
}

/** The first pause before trying again, and the longest. */
const FIRST_PAUSE_MS = 50;
const MAX_PAUSE_MS = 1000;

/** What {@link reconnecting} needs: where the controller lives, and (for tests) the clock. */
export interface ReconnectOptions {
  home: string;
  /** How long to keep trying once the controller went away (default: {@link reconnectWindowMs}). */
  windowMs?: number;
  /** Called before each retry of the call (e.g. to forget a version only the old controller knew). */
  onRetry?: () => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Told once, when the controller has been gone for {@link NOTICE_AFTER_MS} (default: a line on stderr). */
  notice?: (line: string) => void;
}

/** How long a client waits in silence before it says it is waiting (a restart takes about a second). */
export const NOTICE_AFTER_MS = 2000;

/**
 * Runs `call` (a read: trying it again changes nothing); when the controller does not answer,
 * tries again with a pause growing from 50 ms to 1 s until it does, for at most the window;
 * then exits 3 "orch is not running at HOME (waited N s for it to come back)". Any other
 * failure is thrown as it is.
 */
export async function reconnecting<T>(
  ctx: { home: string; api: { socket: string } },
  call: () => Promise<T>,
  o: Partial<ReconnectOptions> = {},
): Promise<T> {
  const windowMs = o.windowMs ?? reconnectWindowMs(process.env);
  const sleep = o.sleep ?? ((ms: number) => sleepMs(ms));
  const now = o.now ?? Date.now;
  let goneSince: number | null = null;
  let noticed = false;
  let pause = FIRST_PAUSE_MS;
  for (;;) {
    try {
      const v = await call();
      return v;
    } catch (e) {
      if (!controllerGone(e, ctx.api.socket)) throw e;
      goneSince ??= now();
      const waited = now() - goneSince;
      if (waited >= windowMs) {
        throw new CliError(
          `orch is not running at ${ctx.home} (waited ${Math.round(waited / 1000)} s for it to come back): run 'orch start'`,
          EXIT.unavailable,
        );
      }
      if (!noticed && waited >= NOTICE_AFTER_MS) {
        noticed = true;
        const line = `orch: the controller at ${ctx.home} is not answering; waiting up to ${Math.round(windowMs / 1000)} s for it to come back (ORCH_RECONNECT_WAIT)`;
        (o.notice ?? ((l: string) => err.write(`${l}\n`)))(line);
      }
      await sleep(Math.min(pause, windowMs - waited));
      pause = Math.min(pause * 2, MAX_PAUSE_MS);
      o.onRetry?.();
    }
  }
}
