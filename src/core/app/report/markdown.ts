import { isoTime, taskDurationLabel } from "./duration.ts";
import { outputExcerpt } from "./excerpt.ts";
import { fencedBlock, mdTable, mdText } from "./markdown-text.ts";
import { statusLabel } from "./statuses.ts";
import { summarizeRun } from "./summary.ts";
import { durationStatsText, stepCountsText, taskCountsText, wallTimeText } from "./summary-text.ts";
import { omittedText, selectFailedTasks, selectTableTasks } from "./task-selection.ts";
import type { ReportRun, ReportTask, ResolvedReportOptions } from "./types.ts";

/**
 * A run report in GitHub-flavoured Markdown: title, summary, a table of steps, a table of
 * tasks, then the error and the end of the output of each failed task.
 *
 * @example
 * ```ts
 * renderMarkdown(run, resolveReportOptions({ now: Date.now() }));
 * // "# Run report: nightly\n\nRun id: `r-1` ..."
 * ```
 */
export function renderMarkdown(run: ReportRun, opts: ResolvedReportOptions): string {
  const summary = summarizeRun(run, opts.now);
  const out: string[] = [`# Run report: ${mdText(run.name)}`, ""];
  out.push(`- **Run id:** ${mdText(run.id)}`);
  if (run.file !== null) out.push(`- **Workflow file:** ${mdText(run.file)}`);
  out.push(
    `- **Status:** ${statusLabel(run.status)}`,
    `- **Started:** ${isoTime(run.startedAt)}`,
    `- **Finished:** ${isoTime(run.finishedAt) ?? "— (still running)"}`,
    `- **Wall time:** ${wallTimeText(summary)}`,
    `- **Steps:** ${stepCountsText(summary)}`,
    `- **Tasks:** ${taskCountsText(summary)}`,
    `- **Task durations:** ${durationStatsText(summary)}`,
    "",
    "## Steps",
    "",
  );
  out.push(
    run.steps.length === 0
      ? "No steps."
      : mdTable(
          ["Step", "Status", "Reason"],
          run.steps.map((s) => [s.name, statusLabel(s.status), s.reason]),
        ),
    "",
    "## Tasks",
    "",
  );
  const table = selectTableTasks(run.tasks, opts.taskLimit);
  if (run.tasks.length === 0) out.push("No tasks.", "");
  else
    out.push(
      mdTable(
        TASK_HEADER,
        table.shown.map((t) => taskRow(t, opts.now)),
      ),
      "",
    );
  if (table.omitted > 0) out.push(omittedText(table, "tasks"), "");
  const failed = selectFailedTasks(run.tasks, opts.taskLimit);
  if (failed.shown.length > 0) out.push("## Failed tasks", "");
  for (const task of failed.shown) out.push(...failedTaskSection(task, opts.excerptChars));
  if (failed.omitted > 0) out.push(omittedText(failed, "failed tasks"), "");
  return `${out.join("\n").trimEnd()}\n`;
}

const TASK_HEADER = ["Task", "Step", "Project", "Worker", "Status", "Attempts", "Duration", "Exit code"];

/** One row of the tasks table. */
function taskRow(task: ReportTask, now: number): (string | number | null)[] {
  return [
    task.id,
    task.step,
    task.project,
    task.worker,
    statusLabel(task.status),
    task.attempts,
    taskDurationLabel(task, now),
    task.exitCode,
  ];
}

/** A failed task's heading, error and output excerpt. */
function failedTaskSection(task: ReportTask, excerptChars: number): string[] {
  const where = [task.step && `step ${task.step}`, task.project && `project ${task.project}`]
    .filter(Boolean)
    .join(", ");
  const lines = [`### Task ${mdText(task.id)}${where ? ` (${mdText(where)})` : ""}`, ""];
  lines.push(
    `${statusLabel(task.status)}, exit code ${task.exitCode ?? "—"}, worker ${mdText(task.worker ?? "—")}`,
  );
  lines.push("", "Error:", "", fencedBlock(task.error ?? "(no error recorded)"), "");
  const excerpt = outputExcerpt(task.output, excerptChars);
  if (excerpt !== null) lines.push("Output (end):", "", fencedBlock(excerpt), "");
  return lines;
}
