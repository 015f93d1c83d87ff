import { formatDuration } from "./duration.ts";
import { STEP_STATUSES, statusLabel, TASK_STATUSES } from "./statuses.ts";
import type { RunSummary } from "./summary.ts";

/**
 * A whole number with thousands separators, the same on every machine.
 *
 * @example
 * ```ts
 * groupDigits(10000); // "10,000"
 * ```
 */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * How many tasks there are and how many are in each status (statuses with none left out).
 *
 * @example
 * ```ts
 * taskCountsText(summary); // "12 (1 running, 9 succeeded, 2 failed)"
 * taskCountsText(summarizeRun(emptyRun)); // "0"
 * ```
 */
export function taskCountsText(summary: RunSummary): string {
  const parts = TASK_STATUSES.filter((s) => summary.tasks.byStatus[s] > 0).map(
    (s) => `${groupDigits(summary.tasks.byStatus[s])} ${statusLabel(s)}`,
  );
  return withParts(summary.tasks.total, parts);
}

/**
 * How many steps there are and how many are in each status (statuses with none left out).
 *
 * @example
 * ```ts
 * stepCountsText(summary); // "3 (2 succeeded, 1 failed)"
 * ```
 */
export function stepCountsText(summary: RunSummary): string {
  const parts = STEP_STATUSES.filter((s) => summary.steps.byStatus[s] > 0).map(
    (s) => `${groupDigits(summary.steps.byStatus[s])} ${statusLabel(s)}`,
  );
  return withParts(summary.steps.total, parts);
}

/**
 * Total, median and longest run time of the finished tasks, or a dash when none finished.
 *
 * @example
 * ```ts
 * durationStatsText(summary); // "total 1 min 02 s, median 5.1 s, max 20.0 s (12 finished)"
 * ```
 */
export function durationStatsText(summary: RunSummary): string {
  const d = summary.taskDurations;
  if (d.count === 0 || d.medianMs === null || d.maxMs === null) return "— (no task finished)";
  return (
    `total ${formatDuration(d.totalMs)}, median ${formatDuration(d.medianMs)}, ` +
    `max ${formatDuration(d.maxMs)} (${groupDigits(d.count)} finished)`
  );
}

/**
 * The run's wall time, marked as a lower bound while the run goes on.
 *
 * @example
 * ```ts
 * wallTimeText(summary); // "4 min 05 s" or "12.3 s so far"
 * ```
 */
export function wallTimeText(summary: RunSummary): string {
  return `${formatDuration(summary.wallMs)}${summary.unfinished ? " so far" : ""}`;
}

/** `total (part, part)`, or just `total` without parts. */
function withParts(total: number, parts: string[]): string {
  return parts.length === 0 ? groupDigits(total) : `${groupDigits(total)} (${parts.join(", ")})`;
}
