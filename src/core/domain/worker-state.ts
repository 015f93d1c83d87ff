import { IllegalTransitionError } from "./errors.ts";
import type { WorkerState } from "./types.ts";

/**
 * Every worker state, in display order.
 *
 * @example
 * ```ts
 * WORKER_STATES.includes("idle"); // true
 * ```
 */
export const WORKER_STATES = [
  "idle",
  "running",
  "waiting_input",
  "rate_limited",
  "error",
  "dead",
] as const satisfies readonly WorkerState[];

/** Where each state may go. `error` and `dead` are reachable from anywhere (see below). */
const NEXT: Readonly<Record<WorkerState, readonly WorkerState[]>> = {
  idle: ["running", "error", "dead"],
  running: ["idle", "waiting_input", "rate_limited", "error", "dead"],
  waiting_input: ["running", "idle", "rate_limited", "error", "dead"],
  rate_limited: ["running", "idle", "error", "dead"],
  error: ["idle", "dead"],
  dead: ["idle", "error"],
};

/**
 * Narrows a string (from the store, the API, argv) to a `WorkerState`.
 *
 * @example
 * ```ts
 * isWorkerState("idle"); // true
 * isWorkerState("busy"); // false
 * ```
 */
export function isWorkerState(value: string): value is WorkerState {
  return (WORKER_STATES as readonly string[]).includes(value);
}

/**
 * The states a worker in `from` may move to.
 *
 * @example
 * ```ts
 * workerTransitionsFrom("dead"); // ["idle", "error"]
 * ```
 */
export function workerTransitionsFrom(from: WorkerState): readonly WorkerState[] {
  return NEXT[from];
}

/**
 * Whether a worker may move from `from` to `to`. Staying in the same state is not a
 * transition, so `canTransitionWorker(s, s)` is false.
 *
 * Allowed: idle -> running, running -> idle | waiting_input, waiting_input -> running | idle,
 * any -> error, any -> dead, error | dead -> idle (a revive).
 *
 * @example
 * ```ts
 * canTransitionWorker("idle", "running"); // true
 * canTransitionWorker("dead", "running"); // false: revive it to idle first
 * ```
 */
export function canTransitionWorker(from: WorkerState, to: WorkerState): boolean {
  return NEXT[from].includes(to);
}

/**
 * Throws {@link IllegalTransitionError} unless `from -> to` is allowed.
 *
 * @example
 * ```ts
 * assertWorkerTransition("running", "idle"); // fine
 * assertWorkerTransition("dead", "running");
 * // throws: illegal worker transition: dead -> running (from dead: idle, error)
 * ```
 */
export function assertWorkerTransition(from: WorkerState, to: WorkerState): void {
  if (!canTransitionWorker(from, to)) throw new IllegalTransitionError("worker", from, to, NEXT[from]);
}
