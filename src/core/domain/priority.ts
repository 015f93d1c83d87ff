import { fail, ok, type Result } from "./result.ts";
import type { TaskPriority } from "./types.ts";

/**
 * The seed's priorities by name; a lower number runs first.
 *
 * @example
 * ```ts
 * PRIORITY.CRITICAL; // 1
 * ```
 */
export const PRIORITY = { CRITICAL: 1, HIGH: 2, NORMAL: 3, LOW: 4 } as const satisfies Record<
  string,
  TaskPriority
>;

/**
 * The priority a task gets when none is asked for.
 *
 * @example
 * ```ts
 * DEFAULT_PRIORITY; // 3 (normal)
 * ```
 */
export const DEFAULT_PRIORITY: TaskPriority = PRIORITY.NORMAL;

/**
 * The names the CLI and API accept, highest priority first: `PRIORITY_NAMES[p - 1]` names `p`.
 *
 * @example
 * ```ts
 * PRIORITY_NAMES.join("|"); // "critical|high|normal|low"
 * ```
 */
export const PRIORITY_NAMES = ["critical", "high", "normal", "low"] as const;

/** One of {@link PRIORITY_NAMES}. */
export type PriorityName = (typeof PRIORITY_NAMES)[number];

/**
 * Reads a priority name as given on the command line or in a workflow file. Letter case is
 * ignored; numbers are not accepted, names are.
 *
 * @example
 * ```ts
 * parsePriority("high"); // { ok: true, value: 2 }
 * parsePriority("urgent");
 * // { ok: false, code: "bad_input", error: 'unknown priority "urgent": expected one of critical, high, normal, low' }
 * ```
 */
export function parsePriority(name: string): Result<TaskPriority> {
  const index = (PRIORITY_NAMES as readonly string[]).indexOf(name.toLowerCase());
  if (index === -1) {
    return fail(
      "bad_input",
      `unknown priority ${JSON.stringify(name)}: expected one of ${PRIORITY_NAMES.join(", ")}`,
    );
  }
  return ok((index + 1) as TaskPriority);
}

/**
 * The name of a priority, for display and JSON.
 *
 * @example
 * ```ts
 * priorityName(1); // "critical"
 * ```
 */
export function priorityName(priority: TaskPriority): PriorityName {
  const name = PRIORITY_NAMES[priority - 1];
  if (name === undefined) throw new RangeError(`priority ${priority}: expected 1, 2, 3 or 4`);
  return name;
}

/** How long a queued task waits before it counts as one priority level higher, by default (60 s). */
export const DEFAULT_PRIORITY_AGING_MS = 60_000;

/**
 * A queued task's place in line: lower runs first. Each priority level below critical adds one
 * aging period to the submit time, so a `low` task submitted three periods before a stream of
 * `critical` ones runs before them: nothing starves, and within a level it is FIFO.
 *
 * @example
 * ```ts
 * queueRank(1, 1_000_000, 60_000); // 1000000 (critical)
 * queueRank(4, 1_000_000, 60_000); // 1180000 (low: as if submitted 3 minutes later)
 * ```
 */
export function queueRank(priority: TaskPriority, submittedAt: number, agingMs: number): number {
  return submittedAt + (priority - 1) * agingMs;
}
