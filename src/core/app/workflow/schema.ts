/** The shape of a workflow file, as zod schemas whose messages say what was expected. */
import { z } from "zod";
import { validateTaskText } from "../../domain/names.ts";
import { PRIORITY_NAMES, parsePriority } from "../../domain/priority.ts";
import { describeValue } from "./errors.ts";

/**
 * What a step name looks like: 1 to 64 letters, digits, `_`, `.` or `-`, starting with a letter or digit.
 *
 * @example
 * ```ts
 * STEP_NAME.test("build-a.1"); // true
 * ```
 */
export const STEP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * The keys allowed at the top of the file, in `defaults` and in a step, as the errors list them.
 *
 * @example
 * ```ts
 * WORKFLOW_KEYS.defaults.join(", "); // "type, priority, timeout, retries, project"
 * ```
 */
export const WORKFLOW_KEYS = {
  top: ["name", "defaults", "steps"],
  defaults: ["type", "priority", "timeout", "retries", "project"],
  step: ["name", "type", "text", "project", "projects", "needs", "priority", "timeout", "retries", "tags"],
} as const;

/** Timers in JS fire at once beyond ~24.8 days, so no timeout may be longer than 24 days. */
const MAX_TIMEOUT_SEC = 24 * 24 * 60 * 60;

/** A zod error function: "missing" or the bad value, then what was expected. */
function expecting(what: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined
      ? `missing: expected ${what}`
      : `${describeValue(issue.input)}: expected ${what}`;
}

function nonEmptyString(what: string) {
  return z.string({ error: expecting(what) }).min(1, { error: expecting(what) });
}

function priority() {
  return z.string({ error: expecting(`one of ${PRIORITY_NAMES.join(", ")}`) }).transform((name, ctx) => {
    const parsed = parsePriority(name);
    if (parsed.ok) return parsed.value;
    ctx.issues.push({ code: "custom", message: parsed.error, input: name });
    return z.NEVER;
  });
}

function timeout() {
  const what = `a number of seconds > 0, at most ${MAX_TIMEOUT_SEC} (24 days)`;
  return z
    .number({ error: expecting(what) })
    .positive({ error: expecting(what) })
    .max(MAX_TIMEOUT_SEC, { error: expecting(what) });
}

function retries() {
  const what = "a whole number of retries, 0 or more";
  return z.int({ error: expecting(what) }).min(0, { error: expecting(what) });
}

const project = () => nonEmptyString("a project folder (a non-empty string)");
const agentType = () => nonEmptyString("an agent or task type (a non-empty string)");
const hostName = () => nonEmptyString("a host's name (orch host list)");
const labels = () =>
  z.record(nonEmptyString("a label key"), z.string({ error: expecting("a label value (a string)") }), {
    error: expecting("a mapping of labels (key: value)"),
  });

function stepSchema(maxTaskBytes: number) {
  const nameWhat =
    "a step name: letters, digits, '_', '.' or '-' (at most 64), starting with a letter or digit";
  const needsWhat = "a step name or a list of step names";
  return z
    .strictObject(
      {
        name: z.string({ error: expecting(nameWhat) }).regex(STEP_NAME, { error: expecting(nameWhat) }),
        type: agentType().optional(),
        text: z
          .string({ error: expecting("the task's text (a non-empty string)") })
          .superRefine((text, ctx) => {
            const check = validateTaskText(text, maxTaskBytes);
            if (!check.ok) ctx.addIssue({ code: "custom", message: check.error, input: text });
          }),
        project: project().optional(),
        projects: z
          .array(project(), { error: expecting("a non-empty list of project folders") })
          .min(1, { error: expecting("a non-empty list of project folders") })
          .optional(),
        needs: z
          .preprocess(
            (v) => (typeof v === "string" ? [v] : v),
            z.array(nonEmptyString(needsWhat), { error: expecting(needsWhat) }),
          )
          .optional(),
        priority: priority().optional(),
        timeout: timeout().optional(),
        retries: retries().optional(),
        tags: z
          .array(nonEmptyString("a tag (a non-empty string)"), { error: expecting("a list of tags") })
          .optional(),
        host: hostName().optional(),
        labels: labels().optional(),
      },
      { error: expecting("a step (a mapping with name and text)") },
    )
    .refine((step) => step.project === undefined || step.projects === undefined, {
      message: "a step has either project (one folder) or projects (a list), not both",
      path: ["projects"],
      // Also when other keys of the step are wrong, so that all is reported at once; not for non-mappings.
      when: ({ value }) => typeof value === "object" && value !== null && !Array.isArray(value),
    });
}

const defaultsSchema = z.strictObject(
  {
    type: agentType().optional(),
    priority: priority().optional(),
    timeout: timeout().optional(),
    retries: retries().optional(),
    project: project().optional(),
    host: hostName().optional(),
    labels: labels().optional(),
  },
  { error: expecting("a mapping of step defaults") },
);

/**
 * The schema of a whole workflow file (before defaults are applied and names are checked
 * against each other). Unknown keys are errors everywhere.
 *
 * @example
 * ```ts
 * workflowSchema(1_048_576).safeParse({ steps: [{ name: "build", text: "make" }] }).success; // true
 * ```
 */
export function workflowSchema(maxTaskBytes: number) {
  const nameWhat = "a workflow name (a non-empty string without control characters)";
  return z.strictObject(
    {
      name: z
        .string({ error: expecting(nameWhat) })
        .regex(/^[^\x00-\x1f\x7f]+$/, { error: expecting(nameWhat) })
        .optional(),
      defaults: defaultsSchema.optional(),
      steps: z
        .array(stepSchema(maxTaskBytes), { error: expecting("a non-empty list of steps") })
        .min(1, { error: expecting("a non-empty list of steps") }),
    },
    { error: expecting("a mapping with a steps list") },
  );
}

/** A workflow file whose shape is right: what {@link workflowSchema} gives. */
export type RawWorkflow = z.output<ReturnType<typeof workflowSchema>>;

/** One step of a {@link RawWorkflow}. */
export type RawStep = RawWorkflow["steps"][number];
