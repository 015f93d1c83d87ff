/**
 * What systemd tells a `Type=notify` service through its environment, read the way
 * sd_notify(3) and sd_watchdog_enabled(3) read it: NOTIFY_SOCKET (where to send), and
 * WATCHDOG_USEC with WATCHDOG_PID (how often to ping, and which process is meant).
 */

/** The variables systemd sets for the service's main process; children should not see them. */
export const NOTIFY_VARIABLES = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] as const;

/** Where and how often to notify systemd. */
export interface NotifySettings {
  /** NOTIFY_SOCKET: an absolute path, or `@name` for an abstract socket. */
  socket: string;
  /** WATCHDOG_USEC in milliseconds when the watchdog is on for this process; null when off. */
  watchdogMs: number | null;
  /** What was set but not used, and why (to log; none of it stops the daemon). */
  notes: string[];
}

/**
 * Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from `env` for the process `pid`. No
 * NOTIFY_SOCKET (or an empty one) means "not run by systemd as Type=notify": null, and orch
 * sends nothing. The watchdog is on when WATCHDOG_USEC is a positive whole number of
 * microseconds and WATCHDOG_PID is unset or `pid` (else it was meant for another process).
 *
 * @example
 * ```ts
 * notifySettings({ NOTIFY_SOCKET: "/run/systemd/notify", WATCHDOG_USEC: "30000000" }, 42);
 * // { socket: "/run/systemd/notify", watchdogMs: 30000, notes: [] }
 * notifySettings({}, 42); // null
 * ```
 */
export function notifySettings(env: Record<string, string | undefined>, pid: number): NotifySettings | null {
  const socket = env.NOTIFY_SOCKET;
  if (!socket) return null;
  const notes: string[] = [];
  const usec = env.WATCHDOG_USEC;
  const forPid = env.WATCHDOG_PID;
  let watchdogMs: number | null = null;
  if (usec !== undefined && usec !== "") {
    const n = /^\d+$/.test(usec) ? Number(usec) : Number.NaN;
    if (!Number.isSafeInteger(n) || n <= 0) {
      notes.push(`WATCHDOG_USEC "${usec}": expected a positive whole number of microseconds; watchdog off`);
    } else if (forPid !== undefined && forPid !== "" && forPid !== String(pid)) {
      notes.push(`WATCHDOG_PID ${forPid} is not this process (${pid}); watchdog off`);
    } else {
      watchdogMs = Math.max(1, Math.floor(n / 1000));
    }
  }
  return { socket, watchdogMs, notes };
}
