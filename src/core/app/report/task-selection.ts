import { isFailedTask } from "./statuses.ts";
import { groupDigits } from "./summary-text.ts";
import type { ReportTask } from "./types.ts";

/** What a report's task table shows. */
export interface TaskSelection {
  /** In the run's order. */
  shown: ReportTask[];
  /** How many tasks were left out. */
  omitted: number;
}

/**
 * The tasks a table lists so that a huge run keeps a readable report: the first `limit`
 * tasks plus every failed one after them, in the run's order.
 *
 * @example
 * ```ts
 * const { shown, omitted } = selectTableTasks(run.tasks, 1000);
 * // 10,000 tasks, 3 of them failed after the first 1,000: shown.length 1003, omitted 8997
 * ```
 */
export function selectTableTasks(tasks: readonly ReportTask[], limit: number): TaskSelection {
  const shown = tasks.filter((task, index) => index < limit || isFailedTask(task));
  return { shown, omitted: tasks.length - shown.length };
}

/**
 * The tasks whose output a report quotes: the failed ones, at most `limit` of them.
 *
 * @example
 * ```ts
 * selectFailedTasks(run.tasks, 1000); // { shown: [the failed tasks], omitted: 0 }
 * ```
 */
export function selectFailedTasks(tasks: readonly ReportTask[], limit: number): TaskSelection {
  const failed = tasks.filter(isFailedTask);
  return { shown: failed.slice(0, limit), omitted: Math.max(0, failed.length - limit) };
}

/**
 * The sentence under a table that left tasks out; empty when nothing was left out.
 *
 * @example
 * ```ts
 * omittedText({ shown: new Array(1003), omitted: 8997 }, "tasks");
 * // "Showing 1,003 of 10,000 tasks; 8,997 left out (the JSON report lists them all)."
 * ```
 */
export function omittedText(selection: TaskSelection, what: string): string {
  if (selection.omitted === 0) return "";
  const total = selection.shown.length + selection.omitted;
  return (
    `Showing ${groupDigits(selection.shown.length)} of ${groupDigits(total)} ${what}; ` +
    `${groupDigits(selection.omitted)} left out (the JSON report lists them all).`
  );
}
