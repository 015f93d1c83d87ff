/** Reads a workflow file's text (YAML or JSON) into a validated workflow, or every error found. */
import { type Document, LineCounter, parseDocument, type YAMLError } from "yaml";
import { fail, ok, type Result } from "../../domain/result.ts";
import { utf8ByteLength } from "../../domain/utf8.ts";
import { checkSteps } from "./checks.ts";
import { formatPath } from "./errors.ts";
import { problemsFromIssues } from "./issues.ts";
import { locate } from "./locate.ts";
import { normalizeWorkflow } from "./normalize.ts";
import { workflowSchema } from "./schema.ts";
import {
  DEFAULT_WORKFLOW_LIMITS,
  type Problem,
  type Workflow,
  type WorkflowError,
  type WorkflowLimits,
} from "./types.ts";

/** Where the text came from and how big it may be. */
export interface ParseWorkflowOptions {
  /** The file's name as errors show it; its base name is the workflow's default name. */
  file: string;
  /** The folder relative project paths are resolved against (the file's folder, usually); absolute. */
  baseDir: string;
  limits?: Partial<WorkflowLimits>;
}

/**
 * Parses and validates a workflow file's text. Checks, in order, stopping after the first
 * stage that finds anything: the file's size; YAML syntax; the number of steps; the shape of
 * everything (all problems at once: unknown keys, wrong types, bad names, priorities, text size);
 * then the steps against each other (duplicate names, unknown needs, cycles, templates). Every
 * error carries the line and column of the offending node (or its nearest parent); the errors
 * of a stage come in file order, as the failure's `error` (code `bad_input`). No I/O.
 *
 * @example
 * ```ts
 * parseWorkflow("steps:\n  - name: build\n    text: make\n", { file: "ci.yaml", baseDir: "/w" });
 * // { ok: true, value: { name: "ci", steps: [{ name: "build", text: "make", priority: 3, ... }] } }
 * parseWorkflow("steps:\n  - name: a\n    text: x\n    needs: b\n", { file: "ci.yaml", baseDir: "/w" });
 * // { ok: false, code: "bad_input", error: [{ file: "ci.yaml", line: 4, column: 12, path: "steps[0].needs[0]",
 * //                                           message: 'unknown step "b"; expected one of a' }] }
 * ```
 */
export function parseWorkflow(source: string, opts: ParseWorkflowOptions): Result<Workflow, WorkflowError[]> {
  const limits = checkedLimits(opts.limits);
  const { file } = opts;
  const bytes = utf8ByteLength(source);
  if (bytes > limits.maxFileBytes) {
    const message = `the file is ${bytes} bytes: expected at most ${limits.maxFileBytes} bytes`;
    return fail("bad_input", [{ file, line: null, column: null, path: "", message }]);
  }
  const lineCounter = new LineCounter();
  // logLevel "error": warnings are collected in the document (and reported), never printed.
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, logLevel: "error" });
  const yamlErrors = [...doc.errors, ...doc.warnings];
  if (yamlErrors.length > 0) {
    return fail("bad_input", yamlErrors.map((e) => syntaxError(e, file, lineCounter)).sort(byPosition));
  }
  const located = (problems: Problem[]) =>
    fail("bad_input", problems.map((p) => locatedError(p, file, doc, lineCounter)).sort(byPosition));
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    return located([
      { path: [], message: `invalid YAML: ${err instanceof Error ? err.message : String(err)}` },
    ]);
  }
  const steps = (data as { steps?: unknown } | null)?.steps;
  if (Array.isArray(steps) && steps.length > limits.maxSteps) {
    return located([
      { path: ["steps"], message: `${steps.length} steps: expected at most ${limits.maxSteps}` },
    ]);
  }
  const shaped = workflowSchema(limits.maxTaskBytes).safeParse(data);
  if (!shaped.success) return located(problemsFromIssues(shaped.error.issues));
  const { workflow, problems } = normalizeWorkflow(shaped.data, file, opts.baseDir);
  problems.push(
    ...checkSteps(shaped.data.steps.map((s) => ({ name: s.name, needs: s.needs ?? [], text: s.text }))),
  );
  return problems.length > 0 ? located(problems) : ok(workflow);
}

function checkedLimits(given: Partial<WorkflowLimits> | undefined): WorkflowLimits {
  const limits = { ...DEFAULT_WORKFLOW_LIMITS, ...given };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`workflow limit ${key}=${value}: expected a whole number >= 1`);
    }
  }
  return limits;
}

function syntaxError(e: YAMLError, file: string, lineCounter: LineCounter): WorkflowError {
  const { line, col } = lineCounter.linePos(e.pos[0]);
  return { file, line, column: col, path: "", message: `invalid YAML: ${e.message}` };
}

function locatedError(p: Problem, file: string, doc: Document, lineCounter: LineCounter): WorkflowError {
  return {
    file,
    ...locate(doc, lineCounter, p.path, p.atKey ?? false),
    path: formatPath(p.path),
    message: p.message,
  };
}

/** File order; errors without a position first; the sort is stable, so ties keep the order of the checks. */
function byPosition(a: WorkflowError, b: WorkflowError): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}
