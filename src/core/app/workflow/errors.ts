/** How workflow errors and their paths are written for people. */
import type { DataPath, WorkflowError } from "./types.ts";

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Writes a data path the way the errors show it: keys joined with `.`, indexes in brackets,
 * keys that are not plain words quoted.
 *
 * @example
 * ```ts
 * formatPath(["steps", 2, "needs", 0]); // "steps[2].needs[0]"
 * formatPath(["steps", 0, "a b"]); // 'steps[0]["a b"]'
 * formatPath([]); // ""
 * ```
 */
export function formatPath(path: DataPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (!PLAIN_KEY.test(segment)) out += `[${JSON.stringify(segment)}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

/**
 * One error as a line: `file:line:column: path: message`, leaving out what is unknown or empty.
 *
 * @example
 * ```ts
 * formatWorkflowError({
 *   file: "nightly.yaml", line: 12, column: 5, path: "steps[2].needs[0]",
 *   message: 'unknown step "bild"; expected one of build, test, report',
 * });
 * // 'nightly.yaml:12:5: steps[2].needs[0]: unknown step "bild"; expected one of build, test, report'
 * ```
 */
export function formatWorkflowError(e: WorkflowError): string {
  const where = e.line === null ? e.file : `${e.file}:${e.line}:${e.column ?? 1}`;
  return e.path === "" ? `${where}: ${e.message}` : `${where}: ${e.path}: ${e.message}`;
}

/** How many of a workflow's errors a refusal lists before it only counts the rest. */
export const LISTED_ERRORS = 20;

/**
 * The errors of a refused workflow, one line each as {@link formatWorkflowError} writes them:
 * the first {@link LISTED_ERRORS}, then one line counting the rest.
 *
 * @example
 * ```ts
 * formatWorkflowErrors(tenThousandErrors);
 * // "ci.yaml:5:13: steps[0].needs[0]: ...\n... (20 lines)\n... and 9980 more errors (10000 in all)"
 * ```
 */
export function formatWorkflowErrors(errors: readonly WorkflowError[]): string {
  const lines = errors.slice(0, LISTED_ERRORS).map(formatWorkflowError);
  if (errors.length > LISTED_ERRORS)
    lines.push(`... and ${errors.length - LISTED_ERRORS} more errors (${errors.length} in all)`);
  return lines.join("\n");
}

/**
 * Describes a value in an error message, shortened: strings quoted, lists and mappings by kind.
 *
 * @example
 * ```ts
 * describeValue("urgent"); // '"urgent"'
 * describeValue([1, 2]); // "a list"
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") {
    return value.length > 60 ? `${JSON.stringify(value.slice(0, 57))}...` : JSON.stringify(value);
  }
  return String(value);
}
