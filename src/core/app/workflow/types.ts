/**
 * The records of a workflow file: the steps `orch run FILE` turns into tasks, and the errors
 * that point at the place in the file that is wrong.
 */
import type { TaskPriority } from "../../domain/types.ts";

/** One step of a workflow, with the file's `defaults` applied and project paths made absolute. */
export interface WorkflowStep {
  /** Unique within the workflow; `[A-Za-z0-9][A-Za-z0-9_.-]{0,63}`. */
  name: string;
  /** The agent type (or task type for routing), or null when neither the step nor `defaults` gives one. */
  type: string | null;
  /** The task text, a template (see `renderStepText`). */
  text: string;
  /** Absolute project folders: one task per entry; one entry for `project:`; null when none is given. */
  projects: string[] | null;
  priority: TaskPriority;
  /** Seconds a task of this step may run, or null for orch's default. */
  timeoutSec: number | null;
  /** Retries after a task's first attempt fails, or null for orch's default. */
  retries: number | null;
  /** Names of the steps that must succeed first, without repeats. */
  needs: string[];
  tags: string[];
  /** Only workers on this host run its tasks (`host:`, or the default's), or null for anywhere. */
  host: string | null;
  /** Only workers on a host with all these labels (`labels:`), or null. */
  labels: Record<string, string> | null;
}

/** A parsed, validated workflow: unique names, known needs, no cycles, templates that only read needs. */
export interface Workflow {
  name: string;
  steps: WorkflowStep[];
}

/** Sizes a workflow file may not exceed. */
export interface WorkflowLimits {
  /** Most steps in one file. */
  maxSteps: number;
  /** Most UTF-8 bytes in one step's text (the template, before rendering). */
  maxTaskBytes: number;
  /** Most UTF-8 bytes in the whole file. */
  maxFileBytes: number;
}

/**
 * The limits used where the caller does not set its own.
 *
 * @example
 * ```ts
 * DEFAULT_WORKFLOW_LIMITS.maxSteps; // 20000
 * ```
 */
export const DEFAULT_WORKFLOW_LIMITS: Readonly<WorkflowLimits> = {
  maxSteps: 20_000,
  maxTaskBytes: 1_048_576,
  maxFileBytes: 16 * 1024 * 1024,
};

/** Where one step of a run is. The last four are final. */
export type { StepStatus } from "../../domain/types.ts";

/** Something wrong with a workflow file, and where. */
export interface WorkflowError {
  /** The file as the caller named it. */
  file: string;
  /** 1-based line and column of the offending node (or its nearest parent), null when unknown. */
  line: number | null;
  column: number | null;
  /** Where in the data, e.g. `steps[2].needs[0]` or `defaults.priority`; `""` for the whole file. */
  path: string;
  message: string;
}

/** A segment of a path into the file's data: a mapping key or a list index. */
export type DataPath = readonly (string | number)[];

/** An error before it is given a line and column: where in the data, and whether it is about the key there. */
export interface Problem {
  path: DataPath;
  message: string;
  /** Point at the mapping key of the last segment rather than its value (unknown keys). */
  atKey?: boolean;
}
