import { taskDurationLabel } from "./duration.ts";
import { outputExcerpt } from "./excerpt.ts";
import { escapeHtml } from "./html-escape.ts";
import { type AnyStatus, statusClass } from "./html-style.ts";
import { statusLabel } from "./statuses.ts";
import { omittedText, selectFailedTasks, selectTableTasks } from "./task-selection.ts";
import type { ReportStep, ReportTask, ResolvedReportOptions } from "./types.ts";

/**
 * A status as a coloured badge.
 *
 * @example
 * ```ts
 * badge("failed"); // '<span class="badge s-failed">failed</span>'
 * ```
 */
export function badge(status: AnyStatus): string {
  return `<span class="badge ${statusClass(status)}">${escapeHtml(statusLabel(status))}</span>`;
}

/**
 * The steps table, or a line saying there are none.
 *
 * @example
 * ```ts
 * stepsTableHtml([{ name: "build", status: "succeeded", reason: null }]); // "<table>...</table>"
 * ```
 */
export function stepsTableHtml(steps: readonly ReportStep[]): string {
  if (steps.length === 0) return `<p class="muted">No steps.</p>`;
  const rows = steps.map(
    (s) => `<tr><td>${cell(s.name)}</td><td>${badge(s.status)}</td><td>${cell(s.reason)}</td></tr>`,
  );
  return `<table>\n<thead><tr><th>Step</th><th>Status</th><th>Reason</th></tr></thead>\n<tbody>\n${rows.join("\n")}\n</tbody>\n</table>`;
}

/**
 * The tasks table: failed tasks plus the first `opts.taskLimit`, with a note on how many
 * were left out; or a line saying there are none.
 *
 * @example
 * ```ts
 * tasksTableHtml(run.tasks, resolveReportOptions({})); // "<table>...</table>"
 * ```
 */
export function tasksTableHtml(tasks: readonly ReportTask[], opts: ResolvedReportOptions): string {
  if (tasks.length === 0) return `<p class="muted">No tasks.</p>`;
  const selection = selectTableTasks(tasks, opts.taskLimit);
  const head = ["Task", "Step", "Project", "Worker", "Status", "Attempts", "Duration", "Exit code"]
    .map((h) => `<th>${h}</th>`)
    .join("");
  const rows = selection.shown.map(
    (t) =>
      `<tr><td>${cell(t.id)}</td><td>${cell(t.step)}</td><td>${cell(t.project)}</td>` +
      `<td>${cell(t.worker)}</td><td>${badge(t.status)}</td><td class="num">${t.attempts}</td>` +
      `<td class="num">${cell(taskDurationLabel(t, opts.now))}</td><td class="num">${cell(t.exitCode)}</td></tr>`,
  );
  const note =
    selection.omitted > 0 ? `\n<p class="muted">${escapeHtml(omittedText(selection, "tasks"))}</p>` : "";
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join("\n")}\n</tbody>\n</table>${note}`;
}

/**
 * One section per failed task (at most `opts.taskLimit`): where it ran, its error and the
 * end of its output in `<pre>`. Empty when no task failed.
 *
 * @example
 * ```ts
 * failedTasksHtml(run.tasks, resolveReportOptions({})); // '<section class="failed">...'
 * ```
 */
export function failedTasksHtml(tasks: readonly ReportTask[], opts: ResolvedReportOptions): string {
  const selection = selectFailedTasks(tasks, opts.taskLimit);
  if (selection.shown.length === 0) return "";
  const parts = ["<h2>Failed tasks</h2>"];
  for (const t of selection.shown) {
    const excerpt = outputExcerpt(t.output, opts.excerptChars);
    parts.push(
      `<section class="failed">\n<h3>Task ${escapeHtml(t.id)} ${badge(t.status)}</h3>`,
      `<p class="muted">step ${cell(t.step)} · project ${cell(t.project)} · worker ${cell(t.worker)} · ` +
        `exit code ${cell(t.exitCode)} · ${t.attempts} attempt${t.attempts === 1 ? "" : "s"}</p>`,
      `<p>Error:</p>\n<pre>\n${escapeHtml(t.error ?? "(no error recorded)")}</pre>`,
      excerpt === null ? "" : `<p>Output (end):</p>\n<pre>\n${escapeHtml(excerpt)}</pre>`,
      "</section>",
    );
  }
  if (selection.omitted > 0) {
    parts.push(`<p class="muted">${escapeHtml(omittedText(selection, "failed tasks"))}</p>`);
  }
  return parts.filter((p) => p !== "").join("\n");
}

/** A table cell's escaped text; `—` for null. */
function cell(value: string | number | null): string {
  return value === null ? "—" : escapeHtml(String(value));
}
