/** What the progress views of `orch run` are shown: a snapshot of a run, its steps and their tasks. */

import type { RunStatus, StepStatus, TaskStatus } from "../../core/domain/types.ts";

/** Where a task is; `dispatched` means handed to a worker but not yet reported running. */
export type ProgressTaskStatus = TaskStatus;

/** Where a step is. */
export type ProgressStepStatus = StepStatus;

/** Where a run is. */
export type ProgressRunStatus = RunStatus;

/**
 * One task of a step. Times are epoch milliseconds.
 *
 * @example
 * ```ts
 * const task: ProgressTask = {
 *   id: "t-1", label: "json-node", status: "running", attempts: 1,
 *   startedAt: 1_700_000_000_000, finishedAt: null, error: null,
 * };
 * ```
 */
export interface ProgressTask {
  id: string;
  /** The project's base name, or the step name when the step has one task. */
  label: string;
  status: ProgressTaskStatus;
  /** Attempts made so far, the current one included. */
  attempts: number;
  startedAt: number | null;
  finishedAt: number | null;
  error: string | null;
}

/**
 * One step of a run, with the tasks it has created so far (none before it starts).
 *
 * @example
 * ```ts
 * const step: ProgressStep = { name: "deploy", status: "skipped", reason: "tests failed", tasks: [] };
 * ```
 */
export interface ProgressStep {
  name: string;
  status: ProgressStepStatus;
  /** Why the step was skipped, failed or cancelled, if known. */
  reason: string | null;
  tasks: ProgressTask[];
}

/**
 * The whole run as the caller knows it now. Times are epoch milliseconds.
 *
 * @example
 * ```ts
 * const run: ProgressRun = {
 *   id: "run-1", name: "ci", status: "running", startedAt: Date.now(), finishedAt: null, steps: [],
 * };
 * ```
 */
export interface ProgressRun {
  id: string;
  name: string;
  status: ProgressRunStatus;
  startedAt: number;
  finishedAt: number | null;
  steps: ProgressStep[];
}

/**
 * Where a view writes, and the size of the terminal (read again on every update, so a getter
 * can follow resizes).
 *
 * @example
 * ```ts
 * const out: ProgressOut = {
 *   write: (s) => process.stdout.write(s),
 *   get columns() { return process.stdout.columns ?? 80; },
 *   get rows() { return process.stdout.rows ?? 24; },
 * };
 * ```
 */
export interface ProgressOut {
  write(s: string): void;
  /** Terminal width; 80 if unknown. */
  columns: number;
  /** Terminal height; 24 if unknown. */
  rows: number;
}

/**
 * A renderer of run progress. `update` is called with the whole current model whenever
 * something may have changed; the view works out what did.
 *
 * @example
 * ```ts
 * const view = createProgressView("plain", out);
 * view.update(run, Date.now());
 * view.finish(run, Date.now());
 * ```
 */
export interface ProgressView {
  update(run: ProgressRun, now: number): void;
  /**
   * Final render; for tty leaves the last frame on screen and the cursor below it. Later calls
   * (to either method) do nothing.
   */
  finish(run: ProgressRun, now: number): void;
}
