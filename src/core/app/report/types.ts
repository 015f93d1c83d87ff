/**
 * What a run report is made from: a workflow run, its steps and its tasks, as plain data.
 * Times are milliseconds since the epoch, or null when they have not happened.
 */

import type { RunStatus, StepStatus, TaskStatus } from "../../domain/types.ts";

/** Where a task of the run is in its life. */
export type ReportTaskStatus = TaskStatus;

/** Where a step of the workflow is. */
export type ReportStepStatus = StepStatus;

/** One task of the run. */
export interface ReportTask {
  id: string;
  /** The workflow step it belongs to, if any. */
  step: string | null;
  project: string | null;
  /** The worker it was delivered to; null while unassigned. */
  worker: string | null;
  /** The worker's plugin type, e.g. `shell`. */
  type: string | null;
  status: ReportTaskStatus;
  attempts: number;
  exitCode: number | null;
  submittedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  output: string | null;
  error: string | null;
}

/** One step of the workflow and why it ended the way it did. */
export interface ReportStep {
  name: string;
  status: ReportStepStatus;
  reason: string | null;
}

/** A workflow run with everything a report shows. */
export interface ReportRun {
  id: string;
  name: string;
  /** The workflow file it came from, if any. */
  file: string | null;
  status: RunStatus;
  startedAt: number;
  finishedAt: number | null;
  steps: ReportStep[];
  tasks: ReportTask[];
}

/** The formats `orch report` writes. */
export type ReportFormat = "md" | "json" | "html";

/** How a report is rendered; every field is optional. */
export interface ReportOptions {
  /** Characters of output kept from the end of a task's output; default 400. */
  excerptChars?: number;
  /** The time unfinished runs and tasks are measured up to; default `Date.now()`. */
  now?: number;
  /** Tables list the failed tasks plus the first `taskLimit` tasks; default 1000. */
  taskLimit?: number;
}

/** {@link ReportOptions} with the defaults filled in. */
export interface ResolvedReportOptions {
  excerptChars: number;
  now: number;
  taskLimit: number;
}
