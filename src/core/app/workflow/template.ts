/** Step text templates: which steps a template reads, and the text it gives for one task. */
import { shellQuote } from "../../tmux/quote.ts";
import { parseTemplate, type TemplateFilter, type TemplateValue } from "./template-parse.ts";
import type { StepStatus } from "./types.ts";

/** What a template can read when one task of a step is rendered. */
export interface TemplateContext {
  /** The task's project folder (one project of a fan-out), or null when the step has none. */
  project: string | null;
  /** The steps the template may read, by name: their status and their tasks' outputs in project order. */
  steps: Record<string, { status: StepStatus; outputs: string[] }>;
}

/**
 * The steps a template reads (each once, in order of first use) and what is wrong with its
 * placeholders, if anything (see `parseTemplate` for the syntax).
 *
 * @example
 * ```ts
 * templateRefs("echo {{ steps.build-a.output | shell }} {{ steps.test.status }}");
 * // { steps: ["build-a", "test"], errors: [] }
 * templateRefs("{{ steps.build.out }}").errors.length; // 1
 * ```
 */
export function templateRefs(template: string): { steps: string[]; errors: string[] } {
  const { parts, errors } = parseTemplate(template);
  const steps = new Set<string>();
  for (const part of parts) {
    if (part.kind === "placeholder" && part.value.kind === "step") steps.add(part.value.name);
  }
  return { steps: [...steps], errors };
}

/**
 * Renders a step's text for one task. `{{ project }}` is the task's project ("" if none);
 * `{{ steps.NAME.output }}` (or `.outputs`) is that step's outputs, each without its trailing
 * newlines (as shell command substitution does), joined with "\n"; `{{ steps.NAME.status }}`
 * is its status. Filters: `shell` quotes for a POSIX shell, `json` writes a JSON string, `trim`
 * trims whitespace. Throws an Error for a template `parseWorkflow` would have refused, or one
 * that reads a step missing from `ctx.steps`: both are bugs of the caller.
 *
 * @example
 * ```ts
 * renderStepText("grep -c ok {{ steps.test.output | shell }} # {{ project }}", {
 *   project: "/p/a",
 *   steps: { test: { status: "succeeded", outputs: ["it's ok\n", "ok\n\n"] } },
 * });
 * // "grep -c ok 'it'\\''s ok\nok' # /p/a"
 * ```
 */
export function renderStepText(template: string, ctx: TemplateContext): string {
  const { parts, errors } = parseTemplate(template);
  if (errors.length > 0) throw new Error(`cannot render step text: ${errors.join("; ")}`);
  let out = "";
  for (const part of parts) {
    if (part.kind === "text") out += part.text;
    else out += part.filters.reduce(applyFilter, placeholderValue(part.value, ctx));
  }
  return out;
}

function placeholderValue(value: TemplateValue, ctx: TemplateContext): string {
  if (value.kind === "literal") return value.text;
  if (value.kind === "project") return ctx.project ?? "";
  const step = Object.hasOwn(ctx.steps, value.name) ? ctx.steps[value.name] : undefined;
  if (!step) {
    const known = Object.keys(ctx.steps).join(", ") || "none";
    throw new Error(
      `cannot render steps.${value.name}.${value.field}: no step ${value.name} given; have ${known}`,
    );
  }
  if (value.field === "status") return step.status;
  return step.outputs.map(stripTrailingNewlines).join("\n");
}

/** `s` without the LFs (and CR LFs) at its end; a loop, since a regex would be quadratic on long runs. */
function stripTrailingNewlines(s: string): string {
  let end = s.length;
  while (end > 0 && s[end - 1] === "\n") end -= end > 1 && s[end - 2] === "\r" ? 2 : 1;
  return s.slice(0, end);
}

function applyFilter(value: string, filter: TemplateFilter): string {
  switch (filter) {
    case "shell":
      return shellQuote(value);
    case "json":
      return JSON.stringify(value);
    case "trim":
      return value.trim();
  }
}
