import { countStatuses, STEP_STATUSES } from "../../domain/status-counts.ts";
import { TASK_STATUSES } from "../../domain/task-status.ts";
import { taskDurationMs } from "./duration.ts";
import { isFailedTask } from "./statuses.ts";
import type { ReportRun, ReportStepStatus, ReportTask, ReportTaskStatus } from "./types.ts";

/** Run times of the finished tasks (those with both a start and a finish). */
export interface DurationStats {
  /** How many tasks the numbers cover. */
  count: number;
  totalMs: number;
  /** Null when no task finished; for an even count, the mean of the middle two, rounded. */
  medianMs: number | null;
  maxMs: number | null;
}

/** A task that failed or timed out, and why. */
export interface FailedTaskSummary {
  id: string;
  step: string | null;
  project: string | null;
  worker: string | null;
  status: ReportTaskStatus;
  exitCode: number | null;
  error: string | null;
}

/** The numbers every report format shows. */
export interface RunSummary {
  /** From the run's start to its finish, or to `now` while it runs; never negative. */
  wallMs: number;
  /** Whether the run has not finished yet. */
  unfinished: boolean;
  tasks: { total: number; byStatus: Record<ReportTaskStatus, number> };
  steps: { total: number; byStatus: Record<ReportStepStatus, number> };
  taskDurations: DurationStats;
  /** In the run's task order. */
  failedTasks: FailedTaskSummary[];
}

/**
 * Counts and times of a run: tasks and steps per status, task durations, wall time, and the
 * tasks that failed or timed out with their errors. `now` measures unfinished runs.
 *
 * @example
 * ```ts
 * const s = summarizeRun(run, Date.now());
 * s.tasks.byStatus.failed; // 2
 * s.taskDurations.medianMs; // 12300
 * ```
 */
export function summarizeRun(run: ReportRun, now: number = Date.now()): RunSummary {
  const taskCounts = countStatuses(TASK_STATUSES, run.tasks);
  const stepCounts = countStatuses(STEP_STATUSES, run.steps);
  return {
    wallMs: Math.max(0, (run.finishedAt ?? now) - run.startedAt),
    unfinished: run.finishedAt === null,
    tasks: { total: run.tasks.length, byStatus: taskCounts },
    steps: { total: run.steps.length, byStatus: stepCounts },
    taskDurations: durationStats(run.tasks),
    failedTasks: run.tasks.filter(isFailedTask).map(failedTaskSummary),
  };
}

/** Total, median and maximum run time of the finished tasks. */
function durationStats(tasks: readonly ReportTask[]): DurationStats {
  const durations: number[] = [];
  for (const task of tasks) {
    const ms = taskDurationMs(task);
    if (ms !== null) durations.push(ms);
  }
  if (durations.length === 0) return { count: 0, totalMs: 0, medianMs: null, maxMs: null };
  durations.sort((a, b) => a - b);
  const mid = durations.length >> 1;
  const median =
    durations.length % 2 === 1 ? durations[mid]! : Math.round((durations[mid - 1]! + durations[mid]!) / 2);
  return {
    count: durations.length,
    totalMs: durations.reduce((sum, ms) => sum + ms, 0),
    medianMs: median,
    maxMs: durations[durations.length - 1]!,
  };
}

/** The fields of a failed task a summary keeps. */
function failedTaskSummary(task: ReportTask): FailedTaskSummary {
  const { id, step, project, worker, status, exitCode, error } = task;
  return { id, step, project, worker, status, exitCode, error };
}
