import { isoTime, taskDurationMs } from "./duration.ts";
import { outputExcerpt } from "./excerpt.ts";
import { summarizeRun } from "./summary.ts";
import type { ReportRun, ReportTask, ResolvedReportOptions } from "./types.ts";

/**
 * A run report as JSON: `{ run, summary, steps, tasks }`, times as ISO-8601 strings (or
 * null), pretty-printed with 2 spaces and a final newline. Every task is listed; instead of
 * its whole output a task carries `outputExcerpt` (the end of it) and `outputChars` (its
 * length). The same input always gives the same text.
 *
 * @example
 * ```ts
 * JSON.parse(renderJson(run, resolveReportOptions({ now: 0 }))).run.wallMs; // 245000
 * ```
 */
export function renderJson(run: ReportRun, opts: ResolvedReportOptions): string {
  const summary = summarizeRun(run, opts.now);
  const report = {
    run: {
      id: run.id,
      name: run.name,
      file: run.file,
      status: run.status,
      startedAt: isoTime(run.startedAt),
      finishedAt: isoTime(run.finishedAt),
      wallMs: summary.wallMs,
    },
    summary,
    steps: run.steps.map(({ name, status, reason }) => ({ name, status, reason })),
    tasks: run.tasks.map((task) => jsonTask(task, opts.excerptChars)),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** A task as the JSON report lists it, its fields in a fixed order. */
function jsonTask(task: ReportTask, excerptChars: number) {
  return {
    id: task.id,
    step: task.step,
    project: task.project,
    worker: task.worker,
    type: task.type,
    status: task.status,
    attempts: task.attempts,
    exitCode: task.exitCode,
    submittedAt: isoTime(task.submittedAt),
    startedAt: isoTime(task.startedAt),
    finishedAt: isoTime(task.finishedAt),
    durationMs: taskDurationMs(task),
    error: task.error,
    outputExcerpt: outputExcerpt(task.output, excerptChars),
    outputChars: task.output?.length ?? null,
  };
}
