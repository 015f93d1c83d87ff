/** Whether a worker may be spawned or tasks queued under the resource limits. */

import { formatCount } from "./format.ts";
import type { ResourceLimits } from "./limits.ts";
import { fail, OK, type Result } from "./result.ts";

/** A worker as far as the spawn limits care: its agent type and its project. */
export interface WorkerSlot {
  type: string;
  project: string;
}

/**
 * Whether one more worker of `want.type` in `want.project` may be spawned, given the live
 * workers. Checks `maxWorkers`, then `maxWorkersPerType[type]` (no limit for a type not in the
 * map), then `maxWorkersPerProject`; the error (`conflict`) names the first limit that is full.
 *
 * @example
 * ```ts
 * canSpawnWorker({ ...DEFAULT_LIMITS, maxWorkersPerType: { claude: 1 } }, [{ type: "claude", project: "web" }], {
 *   type: "claude",
 *   project: "api",
 * });
 * // { ok: false, code: "conflict", error: 'cannot spawn a worker of type "claude": 1 of at most 1 claude workers are running (maxWorkersPerType.claude)' }
 * ```
 */
export function canSpawnWorker(limits: ResourceLimits, live: WorkerSlot[], want: WorkerSlot): Result<void> {
  const what = `cannot spawn a worker of type ${JSON.stringify(want.type)}`;
  if (live.length >= limits.maxWorkers) {
    return full(what, live.length, limits.maxWorkers, "workers", "maxWorkers");
  }
  const perType = Object.hasOwn(limits.maxWorkersPerType, want.type)
    ? limits.maxWorkersPerType[want.type]
    : undefined;
  if (perType !== undefined) {
    const count = live.filter((w) => w.type === want.type).length;
    if (count >= perType) {
      return full(what, count, perType, `${want.type} workers`, `maxWorkersPerType${key(want.type)}`);
    }
  }
  const perProject = limits.maxWorkersPerProject;
  if (perProject !== null) {
    const count = live.filter((w) => w.project === want.project).length;
    if (count >= perProject) {
      const project = JSON.stringify(want.project);
      return full(
        `${what} in project ${project}`,
        count,
        perProject,
        `workers in project ${project}`,
        "maxWorkersPerProject",
      );
    }
  }
  return OK;
}

/**
 * Whether `adding` more tasks may be queued when `queued` are queued now: the total may reach
 * `maxQueuedTasks` but not pass it (a `conflict`). Adding none is always allowed.
 *
 * @example
 * ```ts
 * canQueueTasks(DEFAULT_LIMITS, 99_950, 100);
 * // { ok: false, code: "conflict", error: "cannot queue 100 tasks: 99,950 of at most 100,000 are queued (maxQueuedTasks)" }
 * ```
 */
export function canQueueTasks(limits: ResourceLimits, queued: number, adding: number): Result<void> {
  if (!Number.isSafeInteger(adding) || adding < 0) {
    throw new RangeError(`adding=${adding}: expected a whole number >= 0`);
  }
  if (adding === 0 || queued + adding <= limits.maxQueuedTasks) return OK;
  const tasks = adding === 1 ? "1 task" : `${formatCount(adding)} tasks`;
  return fail(
    "conflict",
    `cannot queue ${tasks}: ${formatCount(queued)} of at most ${formatCount(limits.maxQueuedTasks)} are queued (maxQueuedTasks)`,
  );
}

/** The error for a full limit. */
function full(what: string, count: number, max: number, things: string, knob: string): Result<void> {
  return fail(
    "conflict",
    `${what}: ${formatCount(count)} of at most ${formatCount(max)} ${things} are running (${knob})`,
  );
}

/** How a type is written after `maxWorkersPerType`: `.claude`, or `["my type"]` if not an identifier. */
function key(type: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(type) ? `.${type}` : `[${JSON.stringify(type)}]`;
}
