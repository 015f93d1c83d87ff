import { z } from "zod";
import { errorMessage, fail, ok, type Result } from "./result.ts";

/**
 * orch's settings: the seed's variables plus a few limits. Read from the config file, then
 * from `ORCH_*` environment variables (see {@link CONFIG_ENV_NAMES}), over {@link DEFAULT_CONFIG}.
 */
export interface Config {
  /** Seconds a task may run before it times out (tasks may ask for their own). */
  commandTimeout: number;
  /** Seconds between health checks of the workers. */
  healthCheckInterval: number;
  /** Seconds a new agent has to become ready. */
  workerStartupTimeout: number;
  /** Retries after a task's first attempt fails; 0 turns retrying off. */
  maxRetryCount: number;
  /** Each retry waits this many times longer than the one before; at least 1. */
  retryBackoffFactor: number;
  /** The end marker is `<prefix><task-uuid>-<exit><suffix>`. */
  endMarkerPrefix: string;
  endMarkerSuffix: string;
  /** The tmux session holding the controller window and the workers. */
  sessionName: string;
  /** tmux `history-limit` of worker panes, in lines. */
  historyLimit: number;
  /** Largest task text accepted, in UTF-8 bytes. */
  maxTaskBytes: number;
  /** Most workers alive at once. */
  maxWorkers: number;
  /** Size of worker panes, in columns and rows. */
  paneWidth: number;
  paneHeight: number;
  /** `normal`: a power loss may lose the last commits, never corrupt the store; `full`: syncs every commit. */
  durability: Durability;
  /**
   * What to do with an agent's permission prompt when its plugin leaves it open: `ask` (wait
   * for `orch approve|deny WORKER`), `approve` or `deny`.
   */
  approvalPolicy: ApprovalPolicy;
  /** Seconds a rate-limited agent waits when it does not say how long; doubles each time, at most 15 min. */
  rateLimitBackoff: number;
  /** Seconds a queued task waits before it counts as one priority level higher (no starvation). */
  priorityAging: number;
  /** Most tasks queued at once; a submit beyond it is refused. */
  maxQueuedTasks: number;
  /** Most workers per agent type, e.g. `{ claude: 4 }`; types not named have no limit of their own. */
  maxWorkersPerType: Record<string, number>;
  /** Most workers on one project; 0: no limit of its own. */
  maxWorkersPerProject: number;
  /** Most workers the scheduler spawns by itself for one agent type and project; 0: it never spawns. */
  autoWorkers: number;
  /** A worker's process tree may use at most this much memory (MB); 0: no limit. */
  maxWorkerMemoryMb: number;
  /** What happens when a worker goes over maxWorkerMemoryMb. */
  memoryPolicy: LimitPolicyName;
  /** A worker's process tree may use at most this share of one core (%); 0: no limit. */
  maxWorkerCpuPercent: number;
  /** What happens when a worker goes over maxWorkerCpuPercent. */
  cpuPolicy: LimitPolicyName;
  /** The agent type of a submitted task when neither its type nor a route names one. */
  defaultAgent: string;
  /** Routing: a task type, or `tag:NAME`, mapped to the agent type that runs it. */
  routes: Record<string, string>;
  /** Most steps a workflow file may have. */
  maxWorkflowSteps: number;
  /** Seconds a running task may go without any output before its worker counts as stuck. */
  stuckAfter: number;
  /**
   * Seconds from a worker's death to its automatic revive; doubled for each automatic restart
   * still inside restartWindow (at most 60 s).
   */
  reviveDelay: number;
  /** Most automatic restarts of one worker within restartWindow; past that it is given up (0: never restarted by orch). */
  maxRestarts: number;
  /** The window, in seconds, that maxRestarts counts restarts in. */
  restartWindow: number;
  /**
   * A command (argv, run without a shell) that every recorded event is also sent to, as one
   * JSON line on its stdin; null: none.
   */
  eventCommand: string[] | null;
  /** Only events whose kind starts with one of these go to eventCommand; null: every event. */
  eventKinds: string[] | null;
  /** Secrets are masked in everything orch writes or shows; false: raw output everywhere. */
  mask: boolean;
  /** Workers whose output is kept raw although `mask` is on. */
  unmaskedWorkers: string[];
  /** The user's own secret formats, masked besides the built-in ones. */
  maskRules: MaskRuleConfig[];
  /** orch refuses to run as root unless this is true. */
  allowRoot: boolean;
  /** Agent types whose permission-skipping flags (e.g. `--dangerously-skip-permissions`) are turned on. */
  skipPermissions: string[];
  /** New workers get a git worktree of their project of their own (as `add-worker --worktree`). */
  worktree: boolean;
}

/**
 * A user's masking rule: `pattern` is a JavaScript regular expression; with one capture
 * group only that group is masked (e.g. `token: (\\w+)` keeps `token: `).
 */
export interface MaskRuleConfig {
  name: string;
  pattern: string;
}

/** What orch does when a worker goes over a resource limit. */
export type LimitPolicyName = "warn" | "restart" | "kill";

/** The answer orch gives a permission prompt by itself, or `ask` for a human. */
export type ApprovalPolicy = "ask" | "approve" | "deny";

/** How hard the store tries to keep commits across a power loss. */
export type Durability = "normal" | "full";

/**
 * The seed's values and orch's limits.
 *
 * @example
 * ```ts
 * DEFAULT_CONFIG.commandTimeout; // 30 (seconds)
 * DEFAULT_CONFIG.sessionName; // "agent-system"
 * ```
 */
export const DEFAULT_CONFIG: Readonly<Config> = {
  commandTimeout: 30,
  healthCheckInterval: 60,
  workerStartupTimeout: 10,
  maxRetryCount: 3,
  retryBackoffFactor: 2,
  endMarkerPrefix: "---END-OF-OUTPUT-",
  endMarkerSuffix: "---",
  sessionName: "agent-system",
  historyLimit: 50_000,
  maxTaskBytes: 1_048_576,
  maxWorkers: 64,
  paneWidth: 200,
  paneHeight: 50,
  durability: "normal",
  approvalPolicy: "ask",
  rateLimitBackoff: 30,
  priorityAging: 60,
  maxQueuedTasks: 100_000,
  maxWorkersPerType: {},
  maxWorkersPerProject: 0,
  autoWorkers: 4,
  maxWorkerMemoryMb: 0,
  memoryPolicy: "warn",
  maxWorkerCpuPercent: 0,
  cpuPolicy: "warn",
  defaultAgent: "shell",
  routes: {},
  maxWorkflowSteps: 20_000,
  stuckAfter: 900,
  reviveDelay: 1,
  maxRestarts: 5,
  restartWindow: 600,
  eventCommand: null,
  eventKinds: null,
  mask: true,
  unmaskedWorkers: [],
  maskRules: [],
  allowRoot: false,
  skipPermissions: [],
  worktree: false,
};

/**
 * The environment variable that overrides each setting.
 *
 * @example
 * ```ts
 * CONFIG_ENV_NAMES.commandTimeout; // "ORCH_COMMAND_TIMEOUT"
 * ```
 */
export const CONFIG_ENV_NAMES = {
  commandTimeout: "ORCH_COMMAND_TIMEOUT",
  healthCheckInterval: "ORCH_HEALTH_CHECK_INTERVAL",
  workerStartupTimeout: "ORCH_WORKER_STARTUP_TIMEOUT",
  maxRetryCount: "ORCH_MAX_RETRY_COUNT",
  retryBackoffFactor: "ORCH_RETRY_BACKOFF_FACTOR",
  endMarkerPrefix: "ORCH_END_MARKER_PREFIX",
  endMarkerSuffix: "ORCH_END_MARKER_SUFFIX",
  sessionName: "ORCH_SESSION_NAME",
  historyLimit: "ORCH_HISTORY_LIMIT",
  maxTaskBytes: "ORCH_MAX_TASK_BYTES",
  maxWorkers: "ORCH_MAX_WORKERS",
  paneWidth: "ORCH_PANE_WIDTH",
  paneHeight: "ORCH_PANE_HEIGHT",
  durability: "ORCH_DURABILITY",
  approvalPolicy: "ORCH_APPROVAL_POLICY",
  rateLimitBackoff: "ORCH_RATE_LIMIT_BACKOFF",
  priorityAging: "ORCH_PRIORITY_AGING",
  maxQueuedTasks: "ORCH_MAX_QUEUED_TASKS",
  maxWorkersPerType: "ORCH_MAX_WORKERS_PER_TYPE",
  maxWorkersPerProject: "ORCH_MAX_WORKERS_PER_PROJECT",
  autoWorkers: "ORCH_AUTO_WORKERS",
  maxWorkerMemoryMb: "ORCH_MAX_WORKER_MEMORY_MB",
  memoryPolicy: "ORCH_MEMORY_POLICY",
  maxWorkerCpuPercent: "ORCH_MAX_WORKER_CPU_PERCENT",
  cpuPolicy: "ORCH_CPU_POLICY",
  defaultAgent: "ORCH_DEFAULT_AGENT",
  routes: "ORCH_ROUTES",
  maxWorkflowSteps: "ORCH_MAX_WORKFLOW_STEPS",
  stuckAfter: "ORCH_STUCK_AFTER",
  reviveDelay: "ORCH_REVIVE_DELAY",
  maxRestarts: "ORCH_MAX_RESTARTS",
  restartWindow: "ORCH_RESTART_WINDOW",
  eventCommand: "ORCH_EVENT_COMMAND",
  eventKinds: "ORCH_EVENT_KINDS",
  mask: "ORCH_MASK",
  unmaskedWorkers: "ORCH_UNMASKED_WORKERS",
  maskRules: "ORCH_MASK_RULES",
  allowRoot: "ORCH_ALLOW_ROOT",
  skipPermissions: "ORCH_SKIP_PERMISSIONS",
  worktree: "ORCH_WORKTREE",
} as const satisfies Record<keyof Config, `ORCH_${string}`>;

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

const SHAPE = {
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

type Key = keyof Config;
const KEYS = Object.keys(CONFIG_ENV_NAMES) as Key[];

/**
 * Builds the config from the parsed config file (`undefined` when there is none) and the
 * environment: defaults < file < env. Env values are strings; numbers are read as decimals
 * (`30`, `0.5`, `1e3`), and an empty variable counts as unset. Every problem is reported, one
 * per line of the error (code `bad_input`), each naming the key, the bad value and what was
 * expected.
 *
 * @example
 * ```ts
 * resolveConfig({ commandTimeout: 60 }, { ORCH_MAX_WORKERS: "8" });
 * // { ok: true, value: { ...DEFAULT_CONFIG, commandTimeout: 60, maxWorkers: 8 } }
 * resolveConfig({ commandTimeout: -1 }, { ORCH_COMMAND_TIMEOUT: "abc" });
 * // { ok: false, code: "bad_input", error:
 * //   "config commandTimeout=-1: expected a positive number of seconds\n" +
 * //   'ORCH_COMMAND_TIMEOUT="abc": expected a positive number of seconds' }
 * ```
 */
export function resolveConfig(file: unknown, env: Record<string, string | undefined>): Result<Config> {
  const errors: string[] = [];
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG };
  if (file !== undefined && file !== null) {
    if (!isPlainObject(file)) {
      errors.push(`config file=${show(file)}: expected an object of settings, got ${typeName(file)}`);
    } else {
      for (const [key, value] of Object.entries(file)) {
        if (!isKey(key)) {
          errors.push(`config ${key}=${show(value)}: unknown key, ${suggest(key)}`);
          continue;
        }
        const parsed = SHAPE[key].safeParse(value);
        if (parsed.success) merged[key] = parsed.data;
        else errors.push(`config ${key}=${show(value)}: ${parsed.error.issues[0]?.message}`);
      }
    }
  }
  for (const key of KEYS) {
    const name = CONFIG_ENV_NAMES[key];
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    const value = typeof DEFAULT_CONFIG[key] === "number" ? toNumber(raw) : raw;
    const parsed = SHAPE[key].safeParse(value);
    if (parsed.success) merged[key] = parsed.data;
    else errors.push(`${name}=${JSON.stringify(raw)}: ${parsed.error.issues[0]?.message}`);
  }
  if (errors.length > 0) return fail("bad_input", errors.join("\n"));
  return ok(ConfigSchema.parse(merged));
}

function isKey(key: string): key is Key {
  return Object.hasOwn(CONFIG_ENV_NAMES, key);
}

/** `30`, ` 0.5 `, `1e3` -> numbers; anything else stays a string, which the schema refuses. */
function toNumber(raw: string): number | string {
  const text = raw.trim();
  return /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i.test(text) ? Number(text) : raw;
}

function suggest(key: string): string {
  const squash = (s: string) =>
    s
      .toLowerCase()
      .replace(/^orch_/, "")
      .replace(/[-_]/g, "");
  const match = KEYS.find((known) => squash(known) === squash(key));
  return match ? `did you mean ${match}?` : `expected one of ${KEYS.join(", ")}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "a non-plain object" : `a ${typeof value}`;
}

/** A bad value as it should appear in a message: strings quoted, long values cut. */
function show(value: unknown): string {
  let text: string;
  if (typeof value === "string" || (typeof value === "object" && value !== null)) {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  } else {
    text = typeof value === "bigint" ? `${value}n` : String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
