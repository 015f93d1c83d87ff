import { isoTime } from "./duration.ts";
import { escapeHtml } from "./html-escape.ts";
import { badge, failedTasksHtml, stepsTableHtml, tasksTableHtml } from "./html-sections.ts";
import { reportCss } from "./html-style.ts";
import { summarizeRun } from "./summary.ts";
import { durationStatsText, stepCountsText, taskCountsText, wallTimeText } from "./summary-text.ts";
import { renderTimelineSvg } from "./timeline-svg.ts";
import type { ReportRun, ResolvedReportOptions } from "./types.ts";

/**
 * A run report as one self-contained HTML page: inline stylesheet, no scripts, nothing
 * fetched from the network. Header, summary, timeline (inline SVG), steps and tasks tables,
 * and the errors and output of the failed tasks. Every text from the run is HTML-escaped.
 *
 * @example
 * ```ts
 * await Bun.write("report.html", renderHtml(run, resolveReportOptions({})));
 * ```
 */
export function renderHtml(run: ReportRun, opts: ResolvedReportOptions): string {
  const summary = summarizeRun(run, opts.now);
  const name = escapeHtml(run.name);
  const facts: [string, string][] = [
    ["Run id", escapeHtml(run.id)],
    ...(run.file === null ? [] : [["Workflow file", escapeHtml(run.file)] as [string, string]]),
    ["Status", badge(run.status)],
    ["Started", escapeHtml(isoTime(run.startedAt)!)],
    ["Finished", escapeHtml(isoTime(run.finishedAt) ?? "— (still running)")],
    ["Wall time", escapeHtml(wallTimeText(summary))],
    ["Steps", escapeHtml(stepCountsText(summary))],
    ["Tasks", escapeHtml(taskCountsText(summary))],
    ["Task durations", escapeHtml(durationStatsText(summary))],
  ];
  return [
    "<!doctype html>",
    `<html lang="en">`,
    "<head>",
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>Run report: ${name}</title>`,
    `<style>\n${reportCss()}</style>`,
    "</head>",
    "<body>",
    `<header>\n<h1>${name} ${badge(run.status)}</h1>\n<p class="muted">Run ${escapeHtml(run.id)}</p>\n</header>`,
    `<section class="summary">\n<dl>\n${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("\n")}\n</dl>\n</section>`,
    "<h2>Timeline</h2>",
    `<div class="timeline">\n${renderTimelineSvg(run, opts.now)}\n</div>`,
    "<h2>Steps</h2>",
    stepsTableHtml(run.steps),
    "<h2>Tasks</h2>",
    tasksTableHtml(run.tasks, opts),
    failedTasksHtml(run.tasks, opts),
    "</body>",
    "</html>",
    "",
  ]
    .filter((part, i, all) => part !== "" || i === all.length - 1)
    .join("\n");
}
