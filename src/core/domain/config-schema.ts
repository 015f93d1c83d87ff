/**
 * The zod schema of every config key: what each accepts, from the config file and from text
 * (an environment variable), and the messages that name a bad value.
 */
import { z } from "zod";
import type { Config } from "./config.ts";
import { errorMessage } from "./result.ts";

/** Timers in JS fire at once beyond ~24.8 days, so no duration may be longer than 24 days. */
const MAX_SECONDS = 24 * 24 * 60 * 60;

function seconds() {
  const expected = "expected a positive number of seconds";
  return z
    .number({ error: expected })
    .positive({ error: expected })
    .max(MAX_SECONDS, { error: `${expected}, at most ${MAX_SECONDS} (24 days)` });
}

function count(unit: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  const expected =
    max === Number.MAX_SAFE_INTEGER
      ? `expected a whole number of ${unit}, ${min} or more`
      : `expected a whole number of ${unit} from ${min} to ${max}`;
  return z.int({ error: expected }).min(min, { error: expected }).max(max, { error: expected });
}

function marker() {
  const expected = "expected a non-empty string without newlines or other control characters";
  return z.string({ error: expected }).regex(/^[^\x00-\x1f\x7f]+$/, { error: expected });
}

function policy() {
  return z.enum(["warn", "restart", "kill"], { error: 'expected "warn", "restart" or "kill"' });
}

/** `a=1,b=2` (as an env variable gives it) read as `{ a: "1", b: "2" }`; objects pass through. */
function keyValues<T extends z.ZodType>(value: T, expected: string) {
  return z.preprocess(
    (v) =>
      typeof v === "string"
        ? Object.fromEntries(
            v
              .split(",")
              .filter((p) => p.trim())
              .map((p) => {
                const i = p.indexOf("=");
                const val = i < 0 ? "" : p.slice(i + 1).trim();
                return [i < 0 ? p.trim() : p.slice(0, i).trim(), /^\d+$/.test(val) ? Number(val) : val];
              }),
          )
        : v,
    z.record(z.string().min(1), value, { error: `expected ${expected}` }),
  );
}

/** A JSON array given as text (as an env variable gives it) read as the array; else undefined. */
function jsonArray(text: string): unknown[] | undefined {
  if (!text.startsWith("[")) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A command as argv, or null. Text (an env variable, or a string in the file) is a JSON array,
 * or words split on whitespace; text with quotes or backslashes is refused, since no shell reads it.
 */
function command() {
  const expected =
    'expected a command as a list of words, e.g. ["notify-send", "orch"], or a string of words split on spaces (no quotes: no shell reads it), or null';
  return z.preprocess(
    (v) => {
      if (typeof v !== "string") return v;
      const text = v.trim();
      if (text.startsWith("[")) return jsonArray(text) ?? v;
      return /["'\\]/.test(text) ? v : text.split(/\s+/).filter(Boolean);
    },
    z
      .array(z.string({ error: expected }).regex(/^[^\x00]*$/, { error: expected }), { error: expected })
      .refine((argv) => argv.length > 0 && argv[0] !== "", { error: expected })
      .nullable(),
  );
}

/** Text (an env variable) read as a list: a JSON array, or comma-separated items; other values pass. */
function listText(v: unknown): unknown {
  if (typeof v !== "string") return v;
  return (
    jsonArray(v.trim()) ??
    v
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean)
  );
}

/** Event kind prefixes, or null (every kind). Text is a JSON array or a comma-separated list. */
function kindPrefixes() {
  const expected =
    'expected a list of event kind prefixes, e.g. ["worker.", "task.failed"] (env: worker.,task.failed), or null for every kind';
  return z.preprocess(
    listText,
    z
      .array(z.string({ error: expected }).regex(/^[^\s,\x00-\x1f\x7f]+$/, { error: expected }), {
        error: expected,
      })
      .min(1, { error: expected })
      .nullable(),
  );
}

const AGENT_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** true/false; text (an env variable) may also be 1/0, yes/no or on/off. */
function flag() {
  const expected = "expected true or false (env: 1/0, yes/no, on/off too)";
  const words: Record<string, boolean> = {
    true: true,
    "1": true,
    yes: true,
    on: true,
    false: false,
    "0": false,
    no: false,
    off: false,
  };
  return z.preprocess(
    (v) => (typeof v === "string" ? (words[v.trim().toLowerCase()] ?? v) : v),
    z.boolean({ error: expected }),
  );
}

/** A list of names; text is a JSON array or a comma-separated list. */
function names(what: string, pattern: RegExp) {
  const expected = `expected a list of ${what}, e.g. ["a", "b"] (env: a,b)`;
  return z.preprocess(
    listText,
    z.array(z.string({ error: expected }).regex(pattern, { error: expected }), { error: expected }),
  );
}

/** Why `pattern` is no usable masking pattern, or null. */
function badMaskPattern(pattern: string): string | null {
  let re: RegExp;
  try {
    re = new RegExp(pattern, "g");
  } catch (e) {
    return `pattern ${JSON.stringify(pattern)} is not a regular expression (${errorMessage(e)})`;
  }
  if (re.test("")) return `pattern ${JSON.stringify(pattern)} matches empty text`;
  const groups = new RegExp(`${pattern}|`).exec("")?.length ?? 1;
  if (groups > 2)
    return `pattern ${JSON.stringify(pattern)} has ${groups - 1} capture groups: expected at most one (the part to mask)`;
  return null;
}

/** Masking rules: a JSON array of {name, pattern} (a bare pattern string is named "custom"). */
function maskRules() {
  const expected = 'expected a list of rules like {"name": "ticket", "pattern": "TKT-[0-9]{8}"}';
  const rule = z.preprocess(
    (v) => (typeof v === "string" ? { name: "custom", pattern: v } : v),
    z
      .strictObject(
        {
          name: z.string({ error: expected }).regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, {
            error: "expected a rule name of lowercase letters, digits, '-' or '_'",
          }),
          pattern: z.string({ error: expected }).min(1, { error: expected }),
        },
        { error: expected },
      )
      .superRefine((r, ctx) => {
        const why = badMaskPattern(r.pattern);
        if (why) ctx.addIssue({ code: "custom", message: `expected a usable pattern: ${why}` });
      }),
  );
  return z.preprocess(
    (v) => (typeof v === "string" ? (jsonArray(v.trim()) ?? v) : v),
    z.array(rule, { error: expected }),
  );
}

export const SHAPE = {
  commandTimeout: seconds(),
  healthCheckInterval: seconds(),
  workerStartupTimeout: seconds(),
  maxRetryCount: count("retries", 0),
  retryBackoffFactor: z
    .number({ error: "expected a number >= 1" })
    .min(1, { error: "expected a number >= 1" }),
  endMarkerPrefix: marker(),
  // the end marker's status digits come right before it: a leading digit would read as status
  endMarkerSuffix: marker().refine((v) => !/^[0-9]/.test(v), {
    error: "expected a suffix that does not start with a digit (the exit status comes right before it)",
  }),
  sessionName: z
    .string({ error: "expected a tmux session name of letters, digits, '_' or '-'" })
    .regex(/^[A-Za-z0-9_-]+$/, { error: "expected a tmux session name of letters, digits, '_' or '-'" }),
  historyLimit: count("lines", 1),
  maxTaskBytes: count("bytes", 1),
  maxWorkers: count("workers", 1),
  // tmux refuses panes larger than 10000 cells either way.
  paneWidth: count("columns", 1, 10_000),
  paneHeight: count("rows", 1, 10_000),
  durability: z.enum(["normal", "full"], { error: 'expected "normal" or "full"' }),
  approvalPolicy: z.enum(["ask", "approve", "deny"], { error: 'expected "ask", "approve" or "deny"' }),
  rateLimitBackoff: seconds(),
  priorityAging: seconds(),
  maxQueuedTasks: count("tasks", 1),
  maxWorkersPerType: keyValues(
    count("workers", 0),
    "agent types mapped to worker counts, e.g. claude=4,gpt=2",
  ),
  maxWorkersPerProject: count("workers", 0),
  autoWorkers: count("workers", 0),
  maxWorkerMemoryMb: count("megabytes", 0),
  memoryPolicy: policy(),
  maxWorkerCpuPercent: count("percent", 0),
  cpuPolicy: policy(),
  defaultAgent: z
    .string({ error: "expected an agent type name" })
    .regex(AGENT_NAME, { error: "expected an agent type name (lowercase letters, digits, '-')" }),
  routes: keyValues(
    z.string().regex(AGENT_NAME, { error: "expected an agent type name" }),
    "task types (or tag:NAME) mapped to agent types, e.g. review=claude,tag:docs=gpt",
  ),
  maxWorkflowSteps: count("steps", 1),
  stuckAfter: seconds(),
  reviveDelay: seconds(),
  maxRestarts: count("restarts", 0),
  restartWindow: seconds(),
  eventCommand: command(),
  eventKinds: kindPrefixes(),
  mask: flag(),
  unmaskedWorkers: names("worker names", /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/),
  maskRules: maskRules(),
  allowRoot: flag(),
  skipPermissions: names("agent type names", AGENT_NAME),
  worktree: flag(),
  // room for the head, the tail and the line that marks the cut
  maxOutputBytes: count("bytes", 1024),
  paneLogMaxBytes: count("bytes", 4096),
  // a cutoff further back than any task: 100 years
  retentionDays: z
    .number({ error: "expected a number of days >= 0 (0: keep forever)" })
    .min(0, { error: "expected a number of days >= 0 (0: keep forever)" })
    .max(36_500, { error: "expected a number of days from 0 to 36500" }),
  sshConfig: z
    .string({ error: "expected the path of an ssh config file, or empty for ~/.ssh/config" })
    .refine((v) => v === "" || v.startsWith("/"), {
      error: "expected an absolute path of an ssh config file",
    }),
} satisfies { [K in keyof Config]: z.ZodType<Config[K]> };

/**
 * Validates a complete config object (unknown keys refused), e.g. one sent over the API.
 *
 * @example
 * ```ts
 * ConfigSchema.safeParse(DEFAULT_CONFIG).success; // true
 * ```
 */
export const ConfigSchema: z.ZodType<Config> = z.strictObject(SHAPE);
