/**
 * The controller's side of systemd's `Type=notify` and `WatchdogSec=`: READY=1 once the API
 * answers, WATCHDOG=1 while it keeps answering, STOPPING=1 at shutdown, and a STATUS= line
 * (`systemctl status orch` shows it). A ping goes out only after a liveness probe (a request
 * to the controller's own API, which reads the store) answered in time, so a controller whose
 * event loop hangs, or whose API or store stopped answering, stops pinging and systemd
 * restarts it. The ticks run on their own timer, independent of the health loop's interval.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage, fail, ok, type Result } from "../domain/result.ts";
import type { Logger } from "./logger.ts";
import type { NotifySettings } from "./notify-settings.ts";

/** What a liveness probe found: the controller answered (the value is a STATUS line), or why not. */
export type ProbeResult = Result<string>;

/** The socket the notifier writes to (the runtime's `openNotifySocket` makes the real one). */
export interface NotifySink {
  send(text: string): Result<void>;
  close(): void;
}

export interface WatchdogOptions {
  settings: NotifySettings;
  /** Opens the notify socket (src/core/runtime/sd-notify.ts; a test hands in a fake). */
  open: (address: string) => Result<NotifySink>;
  /** Checks that the controller answers; must settle within `deadlineMs`. */
  probe: (deadlineMs: number) => Promise<ProbeResult>;
  logger: Logger;
}

/** Started by the daemon when NOTIFY_SOCKET is set. */
export interface ServiceWatchdog {
  /**
   * Probes until the controller answers, then sends READY=1 with a STATUS line and starts
   * the watchdog pings (when WATCHDOG_USEC asked for them).
   */
  ready(): Promise<void>;
  /** Sends STOPPING=1, ends the pings and closes the socket; calling it again does nothing. */
  stopping(why: string): void;
}

/** Between two probes while waiting for the API to answer the first time. */
const READY_RETRY_MS = 100;
/** The longest the first probes may take each (the API answers in milliseconds when it is up). */
const READY_PROBE_MS = 2000;

/**
 * How often the watchdog probes and pings: a quarter of WATCHDOG_USEC, twice as often as
 * sd_watchdog_enabled(3) asks, so that one probe that fails or runs out of time does not yet
 * cost a restart (systemd acts only after a whole WATCHDOG_USEC without a ping).
 *
 * @example
 * ```ts
 * pingEveryMs(30_000); // 7500
 * ```
 */
export function pingEveryMs(watchdogMs: number): number {
  return Math.max(1, Math.floor(watchdogMs / 4));
}

/**
 * A STATUS line from the workers' states.
 *
 * @example
 * ```ts
 * statusLine(["idle", "running", "idle"]); // "3 workers: 2 idle, 1 running"
 * statusLine([]); // "no workers"
 * ```
 */
export function statusLine(states: readonly string[]): string {
  if (states.length === 0) return "no workers";
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
  const parts = [...counts].map(([state, n]) => `${n} ${state}`);
  return `${states.length} worker${states.length === 1 ? "" : "s"}: ${parts.join(", ")}`;
}

/**
 * A probe that asks the controller's own API (`GET /v1/status` on the Unix socket `socket`):
 * answering proves that the event loop turns, the API serves and the store reads.
 *
 * @example
 * ```ts
 * const probe = apiProbe("/home/me/.local/state/orch/orch.sock");
 * await probe(5000); // { ok: true, value: "2 workers: 2 idle" }
 * ```
 */
export function apiProbe(socket: string): (deadlineMs: number) => Promise<ProbeResult> {
  return async (deadlineMs) => {
    try {
      const res = await fetch("http://orch/v1/status", {
        unix: socket,
        signal: AbortSignal.timeout(deadlineMs),
      });
      if (!res.ok) return fail("unavailable", `GET /v1/status answered ${res.status}`);
      const body = (await res.json()) as { workers?: unknown };
      if (!Array.isArray(body.workers))
        return fail("unavailable", "GET /v1/status: expected a workers array");
      return ok(statusLine(body.workers.map((w) => String((w as { state?: unknown }).state))));
    } catch (e) {
      const timedOut = e instanceof Error && e.name === "TimeoutError";
      const why = timedOut ? `no answer within ${deadlineMs} ms` : errorMessage(e);
      return fail("unavailable", `GET /v1/status on ${socket}: ${why}`);
    }
  };
}

/**
 * Opens the notify socket of `o.settings` and returns the controller's notifier. When the
 * socket cannot be opened the error is logged and every call does nothing (systemd then
 * reports the start as timed out, with that log line in the journal).
 *
 * @example
 * ```ts
 * const settings = notifySettings(process.env, process.pid);
 * const wd = settings && startServiceWatchdog({ settings, open: openNotifySocket, probe: apiProbe(sock), logger });
 * await wd?.ready();
 * // ... at shutdown:
 * wd?.stopping("SIGTERM");
 * ```
 */
export function startServiceWatchdog(o: WatchdogOptions): ServiceWatchdog {
  const { settings, logger } = o;
  for (const note of settings.notes) logger.log("warn", `systemd notify: ${note}`);
  const opened = o.open(settings.socket);
  if (!opened.ok) {
    logger.log("error", `systemd notify: ${opened.error}; systemd will not hear that orch is ready`);
    return { ready: async () => undefined, stopping: () => undefined };
  }
  const sink = opened.value;
  let stopped = false;
  let timer: ReturnType<typeof setInterval> | null = null;
  let probing = false;
  let lastStatus = "";
  let failing = false;
  let sendFailing = false;

  const send = (fields: string[]): boolean => {
    const r = sink.send(fields.join("\n"));
    if (!r.ok && !sendFailing) logger.log("warn", `systemd notify: ${r.error}`);
    if (r.ok && sendFailing) logger.log("info", "systemd notify: sending works again");
    sendFailing = !r.ok;
    return r.ok;
  };
  const status = (text: string): string[] => {
    if (text === lastStatus) return [];
    lastStatus = text;
    return [`STATUS=${text.replace(/\n/g, " ")}`];
  };

  const tick = async (deadlineMs: number) => {
    if (probing || stopped) return;
    probing = true;
    const r = await o.probe(deadlineMs).finally(() => {
      probing = false;
    });
    if (stopped) return;
    if (r.ok) {
      if (failing) logger.log("info", "systemd watchdog: the controller answers again");
      failing = false;
      send(["WATCHDOG=1", ...status(r.value)]);
      return;
    }
    if (!failing) {
      logger.log("warn", `systemd watchdog: no ping, the controller did not answer: ${r.error}`);
    }
    failing = true;
    const line = status(`not answering: ${r.error}`);
    if (line.length > 0) send(line);
  };

  return {
    async ready() {
      let first: ProbeResult = fail("unavailable", "not probed");
      while (!stopped) {
        first = await o.probe(READY_PROBE_MS);
        if (first.ok || stopped) break;
        await sleep(READY_RETRY_MS);
      }
      if (stopped || !first.ok) return;
      send(["READY=1", ...status(first.value)]);
      const watchdogMs = settings.watchdogMs;
      logger.log("info", "systemd notified: ready", {
        socket: settings.socket,
        ...(watchdogMs !== null ? { watchdogMs, pingEveryMs: pingEveryMs(watchdogMs) } : {}),
      });
      if (watchdogMs === null) return;
      const every = pingEveryMs(watchdogMs);
      timer = setInterval(() => void tick(every), every);
      timer.unref?.();
    },
    stopping(why) {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      send(["STOPPING=1", `STATUS=stopping (${why})`]);
      sink.close();
    },
  };
}
