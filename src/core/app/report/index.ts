/** Run reports: a workflow run rendered as Markdown, JSON or a self-contained HTML page. */
import { renderHtml } from "./html.ts";
import { renderJson } from "./json.ts";
import { renderMarkdown } from "./markdown.ts";
import { resolveReportOptions } from "./options.ts";
import type { ReportFormat, ReportOptions, ReportRun } from "./types.ts";

export { formatDuration } from "./duration.ts";
export { parseReportFormat, REPORT_FORMATS } from "./format.ts";
export { DEFAULT_EXCERPT_CHARS, DEFAULT_TASK_LIMIT } from "./options.ts";
export type { DurationStats, FailedTaskSummary, RunSummary } from "./summary.ts";
export { summarizeRun } from "./summary.ts";
export type {
  ReportFormat,
  ReportOptions,
  ReportRun,
  ReportStep,
  ReportStepStatus,
  ReportTask,
  ReportTaskStatus,
} from "./types.ts";

/**
 * Renders a run's report in `format`. Pure: the same run, format and options always give the
 * same text (pass `now` to pin the time unfinished runs are measured up to). Throws a
 * RangeError naming the bad value if an option is out of range.
 *
 * @example
 * ```ts
 * const md = renderReport(run, "md");
 * const html = renderReport(run, "html", { excerptChars: 2000, now: Date.now() });
 * JSON.parse(renderReport(run, "json")).summary.tasks.total; // run.tasks.length
 * ```
 */
export function renderReport(run: ReportRun, format: ReportFormat, opts?: ReportOptions): string {
  const resolved = resolveReportOptions(opts);
  switch (format) {
    case "md":
      return renderMarkdown(run, resolved);
    case "json":
      return renderJson(run, resolved);
    case "html":
      return renderHtml(run, resolved);
    default:
      throw new RangeError(`report format ${JSON.stringify(format)}: expected md, json or html`);
  }
}
