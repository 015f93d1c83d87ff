/** The `tasks` table, read and written as domain {@link Task} records, and the per-worker queue. */
import type { Database } from "bun:sqlite";
import type { Task } from "../domain/types.ts";
import { isUniqueViolation, StoreConflictError } from "./errors.ts";
import { patchUpdater } from "./patch-update.ts";
import { type TaskRow, toTask } from "./task-row.ts";
import { type TaskListOptions, taskLister } from "./tasks-list.ts";

/**
 * The fields of a task that can change after it is inserted (not `id`, not `seq`).
 *
 * @example
 * ```ts
 * const done: TaskPatch = { status: "succeeded", exitCode: 0, output, finishedAt: Date.now() };
 * ```
 */
export type TaskPatch = Partial<Omit<Task, "id" | "seq">>;

/**
 * Tasks in the store, addressed by their uuid.
 *
 * @example
 * ```ts
 * const next = store.tasks.nextQueued("c1");
 * if (next) store.tasks.update(next.id, { status: "dispatched", attempts: next.attempts + 1 });
 * ```
 */
export interface TasksRepo {
  /** Add a task; the store gives it the next `seq`. Throws {@link StoreConflictError} if the id is taken. */
  insert(t: Omit<Task, "seq">): Task;
  /** The task with that id, or null. */
  get(id: string): Task | null;
  /** Change some fields; returns the task as it is now, or null if there is no such task. */
  update(id: string, patch: TaskPatch): Task | null;
  /** The task that worker should run next: status queued, lowest priority number, then lowest seq. */
  nextQueued(worker: string): Task | null;
  /** How many tasks are queued for that worker. */
  countQueued(worker: string): number;
  /** Tasks ordered by seq, optionally narrowed; see {@link TaskListOptions}. */
  list(opts?: TaskListOptions): Task[];
  /** Tasks dispatched or running, oldest first: what a restarted controller must reconcile. */
  inFlight(): Task[];
}

const TASK_COLUMNS: { readonly [K in keyof Required<TaskPatch>]: string } = {
  worker: "worker",
  text: "text",
  priority: "priority",
  status: "status",
  exitCode: "exit_code",
  output: "output",
  submittedAt: "submitted_at",
  startedAt: "started_at",
  finishedAt: "finished_at",
  attempts: "attempts",
  error: "error",
  timeoutMs: "timeout_ms",
  result: "result",
};

/**
 * The tasks repository over `db` (a migrated store connection); statements are prepared here,
 * once (list: once per combination of filters).
 *
 * @example
 * ```ts
 * const tasks = createTasksRepo(db);
 * tasks.insert({ id: crypto.randomUUID(), worker: "c1", text: "make test", priority: 3, status: "queued",
 *   exitCode: null, output: null, submittedAt: Date.now(), startedAt: null, finishedAt: null,
 *   attempts: 0, error: null, timeoutMs: 30_000 });
 * const next = tasks.nextQueued("c1"); // the queued task with the lowest priority number, then seq
 * if (next) tasks.update(next.id, { status: "dispatched", attempts: next.attempts + 1 });
 * ```
 */
export function createTasksRepo(db: Database): TasksRepo {
  const insertStmt = db.prepare<{ seq: number }, [Omit<TaskRow, "seq">]>(
    `INSERT INTO tasks (id, worker, text, priority, status, exit_code, output, submitted_at, started_at,
       finished_at, attempts, error, timeout_ms, result)
     VALUES ($id, $worker, $text, $priority, $status, $exit_code, $output, $submitted_at, $started_at,
       $finished_at, $attempts, $error, $timeout_ms, $result)
     RETURNING seq`,
  );
  const byId = db.prepare<TaskRow, [string]>("SELECT * FROM tasks WHERE id = ?");
  const next = db.prepare<TaskRow, [string]>(
    "SELECT * FROM tasks WHERE worker = ? AND status = 'queued' ORDER BY priority, seq LIMIT 1",
  );
  const count = db.prepare<{ n: number }, [string]>(
    "SELECT count(*) AS n FROM tasks WHERE worker = ? AND status = 'queued'",
  );
  const inFlight = db.prepare<TaskRow, []>(
    "SELECT * FROM tasks WHERE status IN ('dispatched', 'running') ORDER BY seq",
  );
  const patch = patchUpdater<TaskPatch, TaskRow>(db, "tasks", "id", TASK_COLUMNS, byId);
  const lister = taskLister(db);

  return {
    insert(t) {
      try {
        const row = insertStmt.get({
          id: t.id,
          worker: t.worker,
          text: t.text,
          priority: t.priority,
          status: t.status,
          exit_code: t.exitCode,
          output: t.output,
          submitted_at: t.submittedAt,
          started_at: t.startedAt,
          finished_at: t.finishedAt,
          attempts: t.attempts,
          error: t.error,
          timeout_ms: t.timeoutMs,
          result: t.result === null ? null : JSON.stringify(t.result),
        });
        return { ...pickTask(t), seq: row!.seq };
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        throw new StoreConflictError(`a task with id ${t.id} already exists`, { cause: err });
      }
    },
    get(id) {
      const r = byId.get(id);
      return r ? toTask(r) : null;
    },
    update(id, p) {
      // the result column holds JSON; everything else binds as it is
      const r = patch(
        id,
        p.result === undefined ? p : ({ ...p, result: p.result && JSON.stringify(p.result) } as TaskPatch),
      );
      return r ? toTask(r) : null;
    },
    nextQueued(worker) {
      const r = next.get(worker);
      return r ? toTask(r) : null;
    },
    countQueued(worker) {
      return count.get(worker)?.n ?? 0;
    },
    list(opts = {}) {
      return lister(opts).map(toTask);
    },
    inFlight() {
      return inFlight.all().map(toTask);
    },
  };
}

/** Only the Task fields of `t`, in a fresh object (callers may pass objects with more in them). */
function pickTask(t: Omit<Task, "seq">): Omit<Task, "seq"> {
  return {
    id: t.id,
    worker: t.worker,
    text: t.text,
    priority: t.priority,
    status: t.status,
    exitCode: t.exitCode,
    output: t.output,
    submittedAt: t.submittedAt,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
    attempts: t.attempts,
    error: t.error,
    timeoutMs: t.timeoutMs,
    result: t.result,
  };
}
