/**
 * The records orch keeps about workers and tasks. Plain data: the store persists them, the
 * controller changes them through the rules in this folder, the API turns them into JSON.
 * Times are milliseconds since the epoch (`Date.now()`), or null when they have not happened.
 */

/**
 * What a worker is doing. `waiting_input` means the agent asked a question only a human or
 * policy can answer; `rate_limited` means its model API said "not now" and orch resumes it
 * by itself later.
 */
export type WorkerState = "idle" | "running" | "waiting_input" | "rate_limited" | "error" | "dead";

/** What an agent reported about a finished task besides its text (all optional). */
export interface TaskResultMeta {
  /** Why the turn ended, in the agent's words (e.g. `end_turn`, `success`). */
  exitReason?: string;
  /** The agent itself says the task failed. */
  isError?: boolean;
  sessionId?: string;
  tokens?: { input?: number; output?: number };
  costUsd?: number;
}

/** Where a task is in its life. The last four are final. */
export type TaskStatus =
  | "queued"
  | "dispatched"
  | "running"
  | "succeeded"
  | "failed"
  | "timed_out"
  | "cancelled";

/** Where one step of a workflow run is. The last four are final. */
export type StepStatus = "pending" | "running" | "succeeded" | "failed" | "skipped" | "cancelled";

/** A workflow run's verdict so far. */
export type RunStatus = "running" | "succeeded" | "failed" | "cancelled";

/** The seed's priorities: a lower number runs first. */
export type TaskPriority = 1 | 2 | 3 | 4;

/** A worker: one agent of one type in one tmux pane, working on one project directory. */
export interface Worker {
  /** Stable id (uuid), also kept in the pane option `@orch_worker`. */
  id: string;
  /** Unique, user-facing name, e.g. `c1`; `[A-Za-z0-9][A-Za-z0-9._-]*`. */
  name: string;
  /** Plugin name, e.g. `shell`. */
  type: string;
  /** Absolute path of the project directory the agent runs in. */
  project: string;
  /**
   * The git worktree orch made for this worker (`add-worker --worktree`), removed with the
   * worker; null when the worker runs in the project as it is. `project` is inside it.
   */
  worktree: string | null;
  state: WorkerState;
  /** tmux pane id such as `%3`, or null while it has no pane. */
  paneId: string | null;
  /** The task the worker is on, if any. */
  currentTask: string | null;
  restarts: number;
  createdAt: number;
  /** Why the worker is in `error` or `dead`, if it is. */
  error: string | null;
  /** The machine its tmux pane is on: `local`, or a host added with `orch host add`. */
  host: string;
}

/** A task: text delivered to one worker, and what came of it. */
export interface Task {
  /** uuid; it is also what the end marker carries. */
  id: string;
  /** Monotonic insertion number: the FIFO order within a priority. */
  seq: number;
  /** Name of the worker it is (or will be) delivered to; null while unassigned. */
  worker: string | null;
  text: string;
  priority: TaskPriority;
  status: TaskStatus;
  exitCode: number | null;
  output: string | null;
  submittedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** Delivery attempts made so far (0 while queued for the first time). */
  attempts: number;
  /** The reason a task failed, timed out or was cancelled. */
  error: string | null;
  /** Per-task timeout in milliseconds. */
  timeoutMs: number;
  /** What the agent reported besides the output (tokens, cost, session), or null. */
  result: TaskResultMeta | null;
  /**
   * The agent type a pool task asks for (any worker of that type may take it); null for a task
   * sent to one worker.
   */
  agentType: string | null;
  /** The project a pool task must run in; null when any project will do. */
  project: string | null;
  /** The workflow run and step the task belongs to, if any. */
  runId: string | null;
  step: string | null;
  /** Retries allowed after the first attempt fails or times out. */
  maxRetries: number;
  /** A retry waits until this time (ms since the epoch); 0 when it need not wait. */
  notBefore: number;
  /** Queue order: the submit time plus one aging period per priority level below critical. */
  rank: number;
  /**
   * When the stored output was cut (maxOutputBytes): the size in bytes of the whole output,
   * kept in the task's output file; null (or absent) when it was not cut.
   */
  outputBytes?: number | null;
  /** The host the task was last dispatched on (its worker's); null (or absent) before. */
  host?: string | null;
  /** Where a pool task asked to run; null (or absent) when anywhere will do. */
  place?: TaskPlace | null;
}

/**
 * Where a pool task may run: on one host (`local` or a host's name), and/or on a host with
 * all of these labels (`orch host add --label`). Either may be left out.
 */
export interface TaskPlace {
  host: string | null;
  labels: Record<string, string> | null;
}

/** One earlier attempt of a task that was retried (the task itself holds its latest attempt). */
export interface TaskAttempt {
  taskId: string;
  attempt: number;
  worker: string | null;
  status: TaskStatus;
  exitCode: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  error: string | null;
  output: string | null;
}

/** Something that happened, kept in the store for `orch events` and the event stream. */
export interface OrchEvent {
  id: number;
  at: number;
  kind: string;
  worker: string | null;
  task: string | null;
  /** Free-form details, JSON-serialisable. */
  data: Record<string, unknown>;
}
