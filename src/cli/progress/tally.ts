/** Counting a step's or a run's tasks, in one pass, for bars and summaries. */
import { countStatuses, STEP_STATUSES } from "../../core/domain/status-counts.ts";
import { TASK_STATUSES } from "../../core/domain/task-status.ts";
import type { ProgressRun, ProgressStep, ProgressStepStatus, ProgressTaskStatus } from "./model.ts";

/** How the views group task statuses: `running` includes dispatched, `failed` includes timed out. */
export type TaskGroup = "queued" | "running" | "done" | "failed" | "cancelled";

/**
 * The group a task status is shown in.
 *
 * @example
 * ```ts
 * taskGroup("timed_out"); // "failed"
 * ```
 */
export function taskGroup(status: ProgressTaskStatus): TaskGroup {
  switch (status) {
    case "queued":
      return "queued";
    case "dispatched":
    case "running":
      return "running";
    case "succeeded":
      return "done";
    case "failed":
    case "timed_out":
      return "failed";
    case "cancelled":
      return "cancelled";
  }
}

/**
 * Whether a step status is final.
 *
 * @example
 * ```ts
 * isStepFinished("skipped"); // true
 * ```
 */
export function isStepFinished(status: ProgressStepStatus): boolean {
  return status !== "pending" && status !== "running";
}

/** A step's tasks counted by group, with what the views derive from them. */
export interface StepTally extends Record<TaskGroup, number> {
  /** Tasks in the step. */
  total: number;
  /** Tasks that are running or failed: the ones the live view lists under the step. */
  listed: number;
  /** Earliest task start, or null when no task has started. */
  startedAt: number | null;
  /** Latest task finish, or null when none has finished. */
  finishedAt: number | null;
}

/**
 * Counts a step's tasks.
 *
 * @example
 * ```ts
 * tallyStep(step); // { queued: 2, running: 1, done: 5, failed: 1, cancelled: 0, total: 9, listed: 2, ... }
 * ```
 */
export function tallyStep(step: ProgressStep): StepTally {
  const t: StepTally = {
    queued: 0,
    running: 0,
    done: 0,
    failed: 0,
    cancelled: 0,
    total: step.tasks.length,
    listed: 0,
    startedAt: null,
    finishedAt: null,
  };
  for (const task of step.tasks) {
    t[taskGroup(task.status)]++;
    if (task.startedAt !== null && (t.startedAt === null || task.startedAt < t.startedAt)) {
      t.startedAt = task.startedAt;
    }
    if (task.finishedAt !== null && (t.finishedAt === null || task.finishedAt > t.finishedAt)) {
      t.finishedAt = task.finishedAt;
    }
  }
  t.listed = t.running + t.failed;
  return t;
}

/**
 * Progress units of a step, for the overall bar: each task is one unit, done once it has
 * finished in any way (succeeded, failed, timed out, cancelled); a step with no tasks yet is
 * one unit, done once the step has finished (e.g. skipped).
 *
 * @example
 * ```ts
 * stepUnits({ ...step, status: "skipped", tasks: [] }, tallyStep(step)); // { done: 1, total: 1 }
 * ```
 */
export function stepUnits(step: ProgressStep, tally: StepTally): { done: number; total: number } {
  if (tally.total === 0) return { done: isStepFinished(step.status) ? 1 : 0, total: 1 };
  return { done: tally.done + tally.failed + tally.cancelled, total: tally.total };
}

/** Tasks and steps of a run counted by their exact status, for the run's final JSON event. */
export interface RunCounts {
  tasks: Record<ProgressTaskStatus, number> & { total: number };
  steps: Record<ProgressStepStatus, number> & { total: number };
}

/**
 * Counts a run's tasks and steps by status.
 *
 * @example
 * ```ts
 * runCounts(run).tasks.succeeded; // 38
 * ```
 */
export function runCounts(run: ProgressRun): RunCounts {
  const allTasks = run.steps.flatMap((step) => step.tasks);
  return {
    tasks: { total: allTasks.length, ...countStatuses(TASK_STATUSES, allTasks) },
    steps: { total: run.steps.length, ...countStatuses(STEP_STATUSES, run.steps) },
  };
}
