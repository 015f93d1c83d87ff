/**
 * The health rules, pure: what a health pass concludes about one worker from what it saw,
 * and whether a supervisor may restart it again (restart intensity, as Erlang/OTP and
 * systemd limit restarts: at most N in a sliding window).
 */

import { describeExit } from "./exit-status.ts";

/** A worker's verdict after a health pass. */
/** `unreachable`: its host is offline, so nothing is known of it now (looked at again once it is back). */
export type HealthVerdict = "healthy" | "stuck" | "dead" | "revived" | "gave_up" | "unreachable";

/** What a health pass saw of one worker. */
export interface HealthObservation {
  /** The worker is already known dead (an event said so), or in `error` (given up). */
  knownDead: boolean;
  /** Its tmux pane exists. */
  paneExists: boolean;
  /** tmux says the pane's process exited; its exit status when known. */
  paneDead: boolean;
  deadStatus: string | null;
  /** The signal that killed it, when one did (tmux 3.3+). */
  deadSignal?: string | null;
  /** The pane's process (and so the agent) is alive by the kernel's account. */
  processAlive: boolean;
  /** When the task it is on started, or null when it is on none. */
  busySince: number | null;
  /** When its pane last printed anything (null: never since the controller started). */
  lastOutputAt: number | null;
}

/**
 * Judges one worker: dead (gone, exited, or its process vanished), stuck (on a task with no
 * output for `stuckAfterMs`), or healthy; with the reason a person reads.
 *
 * @example
 * ```ts
 * judgeWorker({ knownDead: false, paneExists: true, paneDead: false, deadStatus: null, processAlive: true,
 *   busySince: 0, lastOutputAt: 1_000 }, 700_000, 600_000);
 * // { verdict: "stuck", reason: "no output for 699 s while running a task (limit 600 s)" }
 * ```
 */
export function judgeWorker(
  o: HealthObservation,
  now: number,
  stuckAfterMs: number,
): { verdict: "healthy" | "stuck" | "dead"; reason: string } {
  if (!o.paneExists) return { verdict: "dead", reason: "its tmux pane is gone" };
  if (o.paneDead) return { verdict: "dead", reason: describeExit(o.deadStatus, o.deadSignal) };
  if (!o.processAlive) return { verdict: "dead", reason: "the agent's process is gone" };
  if (o.knownDead) return { verdict: "dead", reason: "marked dead" };
  if (o.busySince !== null) {
    const quietSince = Math.max(o.busySince, o.lastOutputAt ?? o.busySince);
    const quiet = now - quietSince;
    if (quiet >= stuckAfterMs) {
      return {
        verdict: "stuck",
        reason: `no output for ${Math.floor(quiet / 1000)} s while running a task (limit ${Math.round(stuckAfterMs / 1000)} s)`,
      };
    }
  }
  return { verdict: "healthy", reason: o.busySince === null ? "idle" : "running a task" };
}

/**
 * Whether one more restart fits: fewer than `max` restarts at or after `now - windowMs`.
 *
 * @example
 * ```ts
 * restartAllowed([10_000, 20_000], 30_000, 3, 60_000); // true: 2 of 3 in the last minute
 * restartAllowed([10_000, 20_000, 25_000], 30_000, 3, 60_000); // false
 * ```
 */
export function restartAllowed(
  restartTimes: readonly number[],
  now: number,
  max: number,
  windowMs: number,
): boolean {
  const recent = restartTimes.filter((t) => t >= now - windowMs).length;
  return recent < max;
}
