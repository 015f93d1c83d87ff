import { describe, expect, test } from "bun:test";
import { CONFIG_ENV_NAMES, type Config, DEFAULT_CONFIG } from "../../../src/core/domain/config.ts";
import { resolveConfig } from "../../../src/core/domain/config-resolve.ts";
import { ConfigSchema } from "../../../src/core/domain/config-schema.ts";

function ok(file: unknown, env: Record<string, string | undefined> = {}): Config {
  const result = resolveConfig(file, env);
  if (!result.ok) throw new Error(`expected ok, got ${result.error}`);
  return result.value;
}

function errors(file: unknown, env: Record<string, string | undefined> = {}): string[] {
  const result = resolveConfig(file, env);
  if (result.ok) throw new Error("expected errors");
  expect(result.code).toBe("bad_input");
  return result.error.split("\n");
}

describe("defaults", () => {
  test("the seed's values", () => {
    expect(DEFAULT_CONFIG).toEqual({
      commandTimeout: 30,
      healthCheckInterval: 60,
      workerStartupTimeout: 10,
      maxRetryCount: 3,
      retryBackoffFactor: 2,
      endMarkerPrefix: "---END-OF-OUTPUT-",
      endMarkerSuffix: "---",
      sessionName: "agent-system",
      historyLimit: 50000,
      maxTaskBytes: 1048576,
      maxWorkers: 64,
      paneWidth: 200,
      paneHeight: 50,
      durability: "normal",
      approvalPolicy: "ask",
      rateLimitBackoff: 30,
      priorityAging: 60,
      maxQueuedTasks: 100000,
      maxWorkersPerType: {},
      maxWorkersPerProject: 0,
      autoWorkers: 4,
      maxWorkerMemoryMb: 0,
      memoryPolicy: "warn",
      maxWorkerCpuPercent: 0,
      cpuPolicy: "warn",
      defaultAgent: "shell",
      routes: {},
      maxWorkflowSteps: 20000,
      stuckAfter: 900,
      maxRestarts: 5,
      restartWindow: 600,
      reviveDelay: 1,
      eventCommand: null,
      eventKinds: null,
      mask: true,
      unmaskedWorkers: [],
      maskRules: [],
      allowRoot: false,
      skipPermissions: [],
      worktree: false,
      maxOutputBytes: 1048576,
      paneLogMaxBytes: 10485760,
      retentionDays: 30,
      sshConfig: "",
    });
    expect(ConfigSchema.safeParse(DEFAULT_CONFIG).success).toBe(true);
  });

  test("no file, no env", () => {
    expect(ok(undefined)).toEqual(DEFAULT_CONFIG);
    expect(ok(null)).toEqual(DEFAULT_CONFIG);
    expect(ok({})).toEqual(DEFAULT_CONFIG);
  });

  test("env names are ORCH_ + SNAKE_CASE of every key", () => {
    expect(Object.keys(CONFIG_ENV_NAMES).sort()).toEqual(Object.keys(DEFAULT_CONFIG).sort());
    for (const [key, name] of Object.entries(CONFIG_ENV_NAMES)) {
      expect(name as string).toBe(`ORCH_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`);
    }
  });
});

describe("precedence: default < file < env", () => {
  test("file over default, env over file", () => {
    const config = ok(
      { commandTimeout: 45, maxWorkers: 8, sessionName: "from-file" },
      { ORCH_COMMAND_TIMEOUT: "90", ORCH_DURABILITY: "full" },
    );
    expect(config.commandTimeout).toBe(90);
    expect(config.maxWorkers).toBe(8);
    expect(config.sessionName).toBe("from-file");
    expect(config.durability).toBe("full");
    expect(config.healthCheckInterval).toBe(60);
  });

  test("every key can be set from the env", () => {
    const env = {
      ORCH_COMMAND_TIMEOUT: "1.5",
      ORCH_HEALTH_CHECK_INTERVAL: "5",
      ORCH_WORKER_STARTUP_TIMEOUT: " 20 ",
      ORCH_MAX_RETRY_COUNT: "0",
      ORCH_RETRY_BACKOFF_FACTOR: "1",
      ORCH_END_MARKER_PREFIX: "<<END ",
      ORCH_END_MARKER_SUFFIX: ">>",
      ORCH_SESSION_NAME: "my_session-2",
      ORCH_HISTORY_LIMIT: "1e3",
      ORCH_MAX_TASK_BYTES: "4096",
      ORCH_MAX_WORKERS: "+2",
      ORCH_PANE_WIDTH: "80",
      ORCH_PANE_HEIGHT: "24",
      ORCH_DURABILITY: "full",
      ORCH_APPROVAL_POLICY: "approve",
      ORCH_RATE_LIMIT_BACKOFF: "2",
      ORCH_PRIORITY_AGING: "10",
      ORCH_MAX_QUEUED_TASKS: "500",
      ORCH_MAX_WORKERS_PER_TYPE: "claude=2, gpt=0",
      ORCH_MAX_WORKERS_PER_PROJECT: "3",
      ORCH_AUTO_WORKERS: "0",
      ORCH_MAX_WORKER_MEMORY_MB: "512",
      ORCH_MEMORY_POLICY: "restart",
      ORCH_MAX_WORKER_CPU_PERCENT: "90",
      ORCH_CPU_POLICY: "kill",
      ORCH_DEFAULT_AGENT: "claude",
      ORCH_ROUTES: "review=claude,tag:docs=gpt",
      ORCH_MAX_WORKFLOW_STEPS: "100",
      ORCH_STUCK_AFTER: "120",
      ORCH_MAX_RESTARTS: "0",
      ORCH_RESTART_WINDOW: "30",
      ORCH_REVIVE_DELAY: "30",
      ORCH_EVENT_COMMAND: "notify-send  orch",
      ORCH_EVENT_KINDS: "worker., task.failed",
      ORCH_MASK: "off",
      ORCH_UNMASKED_WORKERS: "w1, w2",
      ORCH_MASK_RULES: '[{"name": "ticket", "pattern": "TKT-[0-9]{8}"}, "id=(\\\\d+)"]',
      ORCH_ALLOW_ROOT: "1",
      ORCH_SKIP_PERMISSIONS: "claude",
      ORCH_WORKTREE: "yes",
      ORCH_MAX_OUTPUT_BYTES: "65536",
      ORCH_PANE_LOG_MAX_BYTES: "1048576",
      ORCH_RETENTION_DAYS: "0.5",
      ORCH_SSH_CONFIG: "/etc/orch/ssh_config",
    };
    expect(ok(undefined, env)).toEqual({
      commandTimeout: 1.5,
      healthCheckInterval: 5,
      workerStartupTimeout: 20,
      maxRetryCount: 0,
      retryBackoffFactor: 1,
      endMarkerPrefix: "<<END ",
      endMarkerSuffix: ">>",
      sessionName: "my_session-2",
      historyLimit: 1000,
      maxTaskBytes: 4096,
      maxWorkers: 2,
      paneWidth: 80,
      paneHeight: 24,
      durability: "full",
      approvalPolicy: "approve",
      rateLimitBackoff: 2,
      priorityAging: 10,
      maxQueuedTasks: 500,
      maxWorkersPerType: { claude: 2, gpt: 0 },
      maxWorkersPerProject: 3,
      autoWorkers: 0,
      maxWorkerMemoryMb: 512,
      memoryPolicy: "restart",
      maxWorkerCpuPercent: 90,
      cpuPolicy: "kill",
      defaultAgent: "claude",
      routes: { review: "claude", "tag:docs": "gpt" },
      maxWorkflowSteps: 100,
      stuckAfter: 120,
      maxRestarts: 0,
      restartWindow: 30,
      reviveDelay: 30,
      eventCommand: ["notify-send", "orch"],
      eventKinds: ["worker.", "task.failed"],
      mask: false,
      unmaskedWorkers: ["w1", "w2"],
      maskRules: [
        { name: "ticket", pattern: "TKT-[0-9]{8}" },
        { name: "custom", pattern: "id=(\\d+)" },
      ],
      allowRoot: true,
      skipPermissions: ["claude"],
      worktree: true,
      maxOutputBytes: 65536,
      paneLogMaxBytes: 1048576,
      retentionDays: 0.5,
      sshConfig: "/etc/orch/ssh_config",
    });
  });

  test("empty or missing env vars count as unset; other ORCH_ vars are ignored", () => {
    expect(
      ok({ maxWorkers: 3 }, { ORCH_MAX_WORKERS: "", ORCH_PANE_WIDTH: undefined, ORCH_HOME: "/x" }),
    ).toEqual({
      ...DEFAULT_CONFIG,
      maxWorkers: 3,
    });
  });

  test("the result is a fresh object", () => {
    const config = ok(undefined);
    config.maxWorkers = 1;
    expect(DEFAULT_CONFIG.maxWorkers).toBe(64);
  });
});

describe("errors name the key, the value and what was expected", () => {
  test("the brief's examples", () => {
    expect(errors(undefined, { ORCH_COMMAND_TIMEOUT: "abc" })).toEqual([
      'ORCH_COMMAND_TIMEOUT="abc": expected a positive number of seconds',
    ]);
    expect(errors({ commandTimeout: -1 })).toEqual([
      "config commandTimeout=-1: expected a positive number of seconds",
    ]);
  });

  test.each([
    ["commandTimeout", 0, "config commandTimeout=0: expected a positive number of seconds"],
    ["commandTimeout", "30", 'config commandTimeout="30": expected a positive number of seconds'],
    [
      "commandTimeout",
      1e9,
      "config commandTimeout=1000000000: expected a positive number of seconds, at most 2073600 (24 days)",
    ],
    ["healthCheckInterval", null, "config healthCheckInterval=null: expected a positive number of seconds"],
    [
      "workerStartupTimeout",
      Number.NaN,
      "config workerStartupTimeout=NaN: expected a positive number of seconds",
    ],
    ["maxRetryCount", -1, "config maxRetryCount=-1: expected a whole number of retries, 0 or more"],
    ["maxRetryCount", 1.5, "config maxRetryCount=1.5: expected a whole number of retries, 0 or more"],
    ["retryBackoffFactor", 0.5, "config retryBackoffFactor=0.5: expected a number >= 1"],
    [
      "retryBackoffFactor",
      Number.POSITIVE_INFINITY,
      "config retryBackoffFactor=Infinity: expected a number >= 1",
    ],
    [
      "endMarkerPrefix",
      "",
      'config endMarkerPrefix="": expected a non-empty string without newlines or other control characters',
    ],
    [
      "endMarkerSuffix",
      "--\n",
      'config endMarkerSuffix="--\\n": expected a non-empty string without newlines or other control characters',
    ],
    [
      "sessionName",
      "agent system",
      `config sessionName="agent system": expected a tmux session name of letters, digits, '_' or '-'`,
    ],
    [
      "sessionName",
      "a.b",
      `config sessionName="a.b": expected a tmux session name of letters, digits, '_' or '-'`,
    ],
    ["historyLimit", 0, "config historyLimit=0: expected a whole number of lines, 1 or more"],
    ["maxTaskBytes", true, "config maxTaskBytes=true: expected a whole number of bytes, 1 or more"],
    ["maxWorkers", [4], "config maxWorkers=[4]: expected a whole number of workers, 1 or more"],
    ["paneWidth", 20000, "config paneWidth=20000: expected a whole number of columns from 1 to 10000"],
    ["paneHeight", 0, "config paneHeight=0: expected a whole number of rows from 1 to 10000"],
    ["durability", "paranoid", 'config durability="paranoid": expected "normal" or "full"'],
  ])("config %s=%p", (key, value, message) => {
    expect(errors({ [key]: value })).toEqual([message]);
  });

  test.each([
    ["ORCH_COMMAND_TIMEOUT", "-1", 'ORCH_COMMAND_TIMEOUT="-1": expected a positive number of seconds'],
    ["ORCH_COMMAND_TIMEOUT", "30s", 'ORCH_COMMAND_TIMEOUT="30s": expected a positive number of seconds'],
    [
      "ORCH_COMMAND_TIMEOUT",
      "Infinity",
      'ORCH_COMMAND_TIMEOUT="Infinity": expected a positive number of seconds',
    ],
    ["ORCH_COMMAND_TIMEOUT", "0x10", 'ORCH_COMMAND_TIMEOUT="0x10": expected a positive number of seconds'],
    ["ORCH_COMMAND_TIMEOUT", " ", 'ORCH_COMMAND_TIMEOUT=" ": expected a positive number of seconds'],
    ["ORCH_MAX_WORKERS", "2.5", 'ORCH_MAX_WORKERS="2.5": expected a whole number of workers, 1 or more'],
    [
      "ORCH_MAX_RETRY_COUNT",
      "three",
      'ORCH_MAX_RETRY_COUNT="three": expected a whole number of retries, 0 or more',
    ],
    ["ORCH_RETRY_BACKOFF_FACTOR", "0", 'ORCH_RETRY_BACKOFF_FACTOR="0": expected a number >= 1'],
    [
      "ORCH_SESSION_NAME",
      "a:b",
      `ORCH_SESSION_NAME="a:b": expected a tmux session name of letters, digits, '_' or '-'`,
    ],
    [
      "ORCH_END_MARKER_PREFIX",
      "a\rb",
      'ORCH_END_MARKER_PREFIX="a\\rb": expected a non-empty string without newlines or other control characters',
    ],
    ["ORCH_DURABILITY", "FULL", 'ORCH_DURABILITY="FULL": expected "normal" or "full"'],
    ["ORCH_PANE_HEIGHT", "0", 'ORCH_PANE_HEIGHT="0": expected a whole number of rows from 1 to 10000'],
  ])("%s=%p", (name, value, message) => {
    expect(errors(undefined, { [name]: value })).toEqual([message]);
  });

  test("unknown keys in the file", () => {
    expect(errors({ fooBar: 1 })).toEqual([
      `config fooBar=1: unknown key, expected one of ${Object.keys(CONFIG_ENV_NAMES).join(", ")}`,
    ]);
    expect(errors({ command_timeout: 5 })).toEqual([
      "config command_timeout=5: unknown key, did you mean commandTimeout?",
    ]);
    expect(errors({ ORCH_MAX_WORKERS: 5 })).toEqual([
      "config ORCH_MAX_WORKERS=5: unknown key, did you mean maxWorkers?",
    ]);
    expect(errors({ constructor: 1 })[0]).toStartWith("config constructor=1: unknown key");
  });

  test("a file that is not an object of settings", () => {
    expect(errors([1, 2])).toEqual(["config file=[1,2]: expected an object of settings, got an array"]);
    expect(errors("x")).toEqual(['config file="x": expected an object of settings, got a string']);
    expect(errors(42)).toEqual(["config file=42: expected an object of settings, got a number"]);
    expect(errors(new Date(0))[0]).toEndWith("expected an object of settings, got a non-plain object");
    expect(ok(Object.assign(Object.create(null), { maxWorkers: 2 })).maxWorkers).toBe(2);
  });

  test("long values are cut", () => {
    const [message] = errors({ sessionName: "x ".repeat(200) });
    expect(message).toStartWith('config sessionName="x x x');
    expect(message).toContain("...: expected a tmux session name");
    expect(message!.length).toBeLessThan(200);
  });

  test("every problem is reported, file and env both", () => {
    expect(
      errors(
        { commandTimeout: -1, nope: true, maxWorkers: 0 },
        { ORCH_COMMAND_TIMEOUT: "abc", ORCH_DURABILITY: "off", ORCH_PANE_WIDTH: "80" },
      ),
    ).toEqual([
      "config commandTimeout=-1: expected a positive number of seconds",
      `config nope=true: unknown key, expected one of ${Object.keys(CONFIG_ENV_NAMES).join(", ")}`,
      "config maxWorkers=0: expected a whole number of workers, 1 or more",
      'ORCH_COMMAND_TIMEOUT="abc": expected a positive number of seconds',
      'ORCH_DURABILITY="off": expected "normal" or "full"',
    ]);
  });

  test("a bad file value is reported even when the env overrides it", () => {
    expect(errors({ maxWorkers: -3 }, { ORCH_MAX_WORKERS: "4" })).toEqual([
      "config maxWorkers=-3: expected a whole number of workers, 1 or more",
    ]);
  });
});

describe("eventCommand and eventKinds", () => {
  const COMMAND =
    'expected a command as a list of words, e.g. ["notify-send", "orch"], or a string of words split on spaces (no quotes: no shell reads it), or null';
  const KINDS =
    'expected a list of event kind prefixes, e.g. ["worker.", "task.failed"] (env: worker.,task.failed), or null for every kind';

  test("from the file: a list of words, a string split on spaces, or null", () => {
    expect(ok({ eventCommand: ["sh", "-c", "cat >> /tmp/x"] }).eventCommand).toEqual([
      "sh",
      "-c",
      "cat >> /tmp/x",
    ]);
    expect(ok({ eventCommand: " curl -d @- http://127.0.0.1:8080/ " }).eventCommand).toEqual([
      "curl",
      "-d",
      "@-",
      "http://127.0.0.1:8080/",
    ]);
    expect(ok({ eventCommand: ["notify", ""] }).eventCommand).toEqual(["notify", ""]);
    expect(ok({ eventCommand: null, eventKinds: null })).toEqual(DEFAULT_CONFIG);
    expect(ok({ eventKinds: ["worker.", "task.failed"] }).eventKinds).toEqual(["worker.", "task.failed"]);
    expect(ok({ eventKinds: "worker.,task.failed" }).eventKinds).toEqual(["worker.", "task.failed"]);
  });

  test("from the env: a JSON array, or words (kinds: a comma-separated list)", () => {
    expect(ok(undefined, { ORCH_EVENT_COMMAND: '["sh", "-c", "cat >> \\"$F\\""]' }).eventCommand).toEqual([
      "sh",
      "-c",
      'cat >> "$F"',
    ]);
    expect(ok({ eventCommand: ["a"] }, { ORCH_EVENT_COMMAND: "b c" }).eventCommand).toEqual(["b", "c"]);
    expect(ok(undefined, { ORCH_EVENT_KINDS: '["worker.dead"]' }).eventKinds).toEqual(["worker.dead"]);
  });

  test.each([
    [{ eventCommand: [] }, `config eventCommand=[]: ${COMMAND}`],
    [{ eventCommand: [""] }, `config eventCommand=[""]: ${COMMAND}`],
    [{ eventCommand: ["a", 1] }, `config eventCommand=["a",1]: ${COMMAND}`],
    [{ eventCommand: 5 }, `config eventCommand=5: ${COMMAND}`],
    [{ eventCommand: "" }, `config eventCommand="": ${COMMAND}`],
    [{ eventCommand: "sh -c 'cat'" }, `config eventCommand="sh -c 'cat'": ${COMMAND}`],
    [{ eventCommand: { cmd: "x" } }, `config eventCommand={"cmd":"x"}: ${COMMAND}`],
    [{ eventKinds: [] }, `config eventKinds=[]: ${KINDS}`],
    [{ eventKinds: ["worker dead"] }, `config eventKinds=["worker dead"]: ${KINDS}`],
    [{ eventKinds: [""] }, `config eventKinds=[""]: ${KINDS}`],
    [{ eventKinds: true }, `config eventKinds=true: ${KINDS}`],
  ])("config %p", (file, message) => {
    expect(errors(file)).toEqual([message]);
  });

  test.each([
    ["ORCH_EVENT_COMMAND", '["sh",', `ORCH_EVENT_COMMAND="[\\"sh\\",": ${COMMAND}`],
    ["ORCH_EVENT_COMMAND", "[]", `ORCH_EVENT_COMMAND="[]": ${COMMAND}`],
    ["ORCH_EVENT_COMMAND", 'say "hi"', `ORCH_EVENT_COMMAND="say \\"hi\\"": ${COMMAND}`],
    ["ORCH_EVENT_KINDS", " , ", `ORCH_EVENT_KINDS=" , ": ${KINDS}`],
  ])("%s=%p", (name, value, message) => {
    expect(errors(undefined, { [name]: value })).toEqual([message]);
  });
});

describe("ConfigSchema", () => {
  test("refuses unknown and missing keys", () => {
    expect(ConfigSchema.safeParse({ ...DEFAULT_CONFIG, extra: 1 }).success).toBe(false);
    const { durability: _, ...partial } = DEFAULT_CONFIG;
    expect(ConfigSchema.safeParse(partial).success).toBe(false);
  });
});

describe("masking and privilege settings", () => {
  test("a mask rule that is no regex, matches empty text or has two groups is refused", () => {
    expect(errors({ maskRules: [{ name: "x", pattern: "(" }] })[0]).toMatch(
      /maskRules.*not a regular expression/,
    );
    expect(errors({ maskRules: ["a*"] })[0]).toMatch(/matches empty text/);
    expect(errors({ maskRules: ["(a)(b)"] })[0]).toMatch(/2 capture groups/);
    expect(errors({ maskRules: [{ name: "Bad Name", pattern: "x" }] })[0]).toMatch(/rule name/);
  });
  test("a flag that is no boolean names the value", () => {
    expect(errors(undefined, { ORCH_MASK: "maybe" })[0]).toBe(
      'ORCH_MASK="maybe": expected true or false (env: 1/0, yes/no, on/off too)',
    );
  });
  test("skipPermissions takes agent type names only", () => {
    expect(errors({ skipPermissions: ["Claude Code"] })[0]).toMatch(/skipPermissions.*agent type names/);
  });
});

test("an end marker suffix that starts with a digit is refused (it would read as the exit status)", () => {
  expect(errors({ endMarkerSuffix: "0---" })[0]).toBe(
    'config endMarkerSuffix="0---": expected a suffix that does not start with a digit (the exit status comes right before it)',
  );
});
