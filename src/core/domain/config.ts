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
  /**
   * The most of one task's output the store keeps, in UTF-8 bytes: past it, its head and tail
   * (the cut marked), and the whole output in a file under $ORCH_HOME/outputs.
   */
  maxOutputBytes: number;
  /** A worker's pane log is rotated past this size (bytes); the current and one previous file are kept. */
  paneLogMaxBytes: number;
  /** Final tasks (their outputs, events, old logs) older than this many days are pruned; 0: kept forever. */
  retentionDays: number;
  /**
   * The ssh config file orch's ssh calls read (`ssh -F`); empty: the account's own
   * `~/.ssh/config`. Hosts' aliases, keys and options go there.
   */
  sshConfig: string;
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
  maxOutputBytes: 1_048_576,
  paneLogMaxBytes: 10_485_760,
  retentionDays: 30,
  sshConfig: "",
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
  maxOutputBytes: "ORCH_MAX_OUTPUT_BYTES",
  paneLogMaxBytes: "ORCH_PANE_LOG_MAX_BYTES",
  retentionDays: "ORCH_RETENTION_DAYS",
  sshConfig: "ORCH_SSH_CONFIG",
} as const satisfies Record<keyof Config, `ORCH_${string}`>;
