/** The lines of the live view, before they are cut to the terminal width. */
import { progressBar } from "./bar.ts";
import { formatCount, formatDuration, plural } from "./format.ts";
import type { ProgressRun, ProgressStep, ProgressStepStatus, ProgressTask } from "./model.ts";
import { isStepFinished, type StepTally } from "./tally.ts";
import { oneLine, visibleWidth } from "./text-fit.ts";

const STEP_SYMBOL: Record<ProgressStepStatus, string> = {
  pending: "○",
  running: "●",
  succeeded: "✓",
  failed: "✗",
  skipped: "⊘",
  cancelled: "⊘",
};

/** How the hidden steps' statuses are named in the summary line, in the order listed there. */
const STEP_WORD: [ProgressStepStatus, string][] = [
  ["running", "running"],
  ["failed", "failed"],
  ["succeeded", "done"],
  ["skipped", "skipped"],
  ["cancelled", "cancelled"],
  ["pending", "pending"],
];

/**
 * The first line: run name, status, elapsed time and the overall bar of done / all units.
 *
 * @example
 * ```ts
 * headerLine(run, now, { done: 12, total: 40, failed: 1 });
 * // "ci  running  1m 05s  [######..............] 12/40  1 failed"
 * ```
 */
export function headerLine(
  run: ProgressRun,
  now: number,
  units: { done: number; total: number; failed: number },
): string {
  const elapsed = formatDuration((run.finishedAt ?? now) - run.startedAt);
  const failed = units.failed > 0 ? `  ${formatCount(units.failed)} failed` : "";
  const bar = progressBar(units.done, units.total, 20);
  const count = `${formatCount(units.done)}/${formatCount(units.total)}`;
  return `${oneLine(run.name)}  ${run.status}  ${elapsed}  ${bar} ${count}${failed}`;
}

/**
 * One step: symbol, name padded to `nameWidth`, then either its bar, counts and elapsed time,
 * or (no tasks yet) its status and reason.
 *
 * @example
 * ```ts
 * stepLine(step, tallyStep(step), now, 6);
 * // "● test    [####......] 4/10  3 queued, 2 running, 4 done, 1 failed  12.3 s"
 * ```
 */
export function stepLine(step: ProgressStep, tally: StepTally, now: number, nameWidth: number): string {
  const name = oneLine(step.name);
  const padding = " ".repeat(Math.max(0, nameWidth - visibleWidth(name)));
  const head = `${STEP_SYMBOL[step.status]} ${name}${padding}`;
  const reason = step.reason === null ? "" : oneLine(step.reason);
  if (tally.total === 0) return `${head}  ${step.status}${reason ? `: ${reason}` : ""}`;
  const finished = tally.done + tally.failed + tally.cancelled;
  const counts = (["queued", "running", "done", "failed", "cancelled"] as const)
    .filter((group) => tally[group] > 0)
    .map((group) => `${formatCount(tally[group])} ${group}`)
    .join(", ");
  const end = isStepFinished(step.status) ? tally.finishedAt : now;
  const elapsed =
    tally.startedAt === null || end === null ? "" : `  ${formatDuration(end - tally.startedAt)}`;
  const count = `${formatCount(finished)}/${formatCount(tally.total)}`;
  const bar = `${progressBar(finished, tally.total, 10)} ${count}`;
  const status = step.status === "running" || step.status === "succeeded" ? "" : `  ${step.status}`;
  return `${head}  ${bar}  ${counts}${elapsed}${status}${reason ? `: ${reason}` : ""}`;
}

/**
 * One running or failed task, indented under its step: label, status, elapsed, the attempt
 * when it is not the first, and the error.
 *
 * @example
 * ```ts
 * taskLine(task, now); // "    json-node  failed  3.0 s  attempt 2  exit 1"
 * ```
 */
export function taskLine(task: ProgressTask, now: number): string {
  const end = task.finishedAt ?? now;
  const elapsed = task.startedAt === null ? "" : `  ${formatDuration(end - task.startedAt)}`;
  const attempt = task.attempts > 1 ? `  attempt ${task.attempts}` : "";
  const error = task.error === null ? "" : oneLine(task.error);
  const status = task.status.replace("_", " ");
  return `    ${oneLine(task.label)}  ${status}${elapsed}${attempt}${error ? `  ${error}` : ""}`;
}

/**
 * Stands for the running and failed tasks of a step there was no room to list.
 *
 * @example
 * ```ts
 * moreTasksLine(470, 10); // "    … 480 more tasks: 470 running, 10 failed"
 * ```
 */
export function moreTasksLine(running: number, failed: number): string {
  const parts = [
    running > 0 ? `${formatCount(running)} running` : "",
    failed > 0 ? `${formatCount(failed)} failed` : "",
  ];
  return `    … ${plural(running + failed, "more task")}: ${parts.filter(Boolean).join(", ")}`;
}

/**
 * Stands for the steps there was no room to show, counted by status.
 *
 * @example
 * ```ts
 * moreStepsLine(9950, { pending: 950, running: 0, succeeded: 9000, failed: 0, skipped: 0, cancelled: 0 });
 * // "… 9,950 more steps: 9,000 done, 950 pending"
 * ```
 */
export function moreStepsLine(hidden: number, byStatus: Record<ProgressStepStatus, number>): string {
  const parts = STEP_WORD.filter(([status]) => byStatus[status] > 0).map(
    ([status, word]) => `${formatCount(byStatus[status])} ${word}`,
  );
  return `… ${plural(hidden, "more step")}: ${parts.join(", ")}`;
}
