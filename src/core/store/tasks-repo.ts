/** The `tasks` table, read and written as domain {@link Task} records, and the per-worker queue. */

import type { Database } from "bun:sqlite";
import { DEFAULT_PRIORITY_AGING_MS, queueRank } from "../domain/priority.ts";
import type { Task, TaskPlace } from "../domain/types.ts";
import { isUniqueViolation, StoreConflictError } from "./errors.ts";
import { createIdIndex, type IdIndex } from "./id-index.ts";
import { patchSetter, patchUpdater } from "./patch-update.ts";
import { type TaskRow, toTask } from "./task-row.ts";
import { type TaskListOptions, taskLister } from "./tasks-list.ts";
import { TEXT_PARAM } from "./text-param.ts";

/**
 * The fields of a task that can change after it is inserted (not `id`, not `seq`).
 *
 * @example
 * ```ts
 * const done: TaskPatch = { status: "succeeded", exitCode: 0, output, finishedAt: Date.now() };
 * ```
 */
export type TaskPatch = Partial<Omit<Task, "id" | "seq" | "place">>;

/** The scheduler's fields of a task; {@link TasksRepo.insert} fills the ones left out. */
type SchedulingFields = "agentType" | "project" | "runId" | "step" | "maxRetries" | "notBefore" | "rank";

/**
 * A task to insert: everything but `seq`; the scheduling fields default to a targeted task
 * (no agent type, project, run), no retries, no wait, and the rank of the default aging.
 */
export type NewTask = Omit<Task, "seq" | SchedulingFields> & Partial<Pick<Task, SchedulingFields>>;

/** Who asks for work: the worker's name, its agent type, its project, its host and that host's labels. */
export interface QueueTaker {
  worker: string;
  type: string;
  project: string;
  host: string;
  /** JSON of the host's labels record (`{}` for none). */
  labels: string;
}

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
  insert(t: NewTask): Task;
  /** The task with that id, or null. */
  get(id: string): Task | null;
  /**
   * Change some fields; returns the task as it is now, or null if there is no such task.
   * `worker`, when the caller knows whose task it is, spares the masking a read of the task.
   */
  update(id: string, patch: TaskPatch, worker?: string | null): Task | null;
  /** {@link update} without reading the task back (the hot path's status changes): true if it exists. */
  set(id: string, patch: TaskPatch, worker?: string | null): boolean;
  /** The task that worker should run next among those sent to it: queued, lowest rank, then seq. */
  nextQueued(worker: string): Task | null;
  /**
   * The task a worker should take next at time `now`: the lowest (rank, seq) among the queued
   * tasks sent to it and the pool tasks of its type for its project or any project, leaving out
   * retries still waiting (notBefore > now).
   */
  nextFor(taker: QueueTaker, now: number): Task | null;
  /** The earliest notBefore in the future among queued tasks, or null: when to look again. */
  nextWake(now: number): number | null;
  /** How many tasks are queued in all. */
  countAllQueued(): number;
  /**
   * Queued pool tasks (no worker yet) of an agent type for a project (null: for any project)
   * that asked for exactly this place (null: anywhere).
   */
  countPool(agentType: string, project: string | null, place?: TaskPlace | null): number;
  /** How many tasks are queued for that worker. */
  countQueued(worker: string): number;
  /** Tasks ordered by seq, optionally narrowed; see {@link TaskListOptions}. */
  list(opts?: TaskListOptions): Task[];
  /** Tasks dispatched or running, oldest first: what a restarted controller must reconcile. */
  inFlight(): Task[];
  /** Task ids by prefix, and the short ids tables show. */
  readonly ids: IdIndex;
}

const TASK_COLUMNS: { readonly [K in keyof Required<TaskPatch>]: string } = {
  agentType: "agent_type",
  project: "project",
  runId: "run_id",
  step: "step",
  maxRetries: "max_retries",
  notBefore: "not_before",
  rank: "rank",
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
  outputBytes: "output_bytes",
  host: "host",
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
  // no RETURNING (SQLite buffers returned rows in a temporary table): seq is the rowid
  const insertStmt = db.prepare<never, [Omit<TaskRow, "seq">]>(
    `INSERT INTO tasks (id, worker, text, priority, status, exit_code, output, submitted_at, started_at,
       finished_at, attempts, error, timeout_ms, result, agent_type, project, run_id, step, max_retries,
       not_before, rank, place_host, place_labels)
     VALUES ($id, $worker, $text, $priority, $status, $exit_code, $output, $submitted_at, $started_at,
       $finished_at, $attempts, $error, $timeout_ms, $result, $agent_type, $project, $run_id, $step,
       $max_retries, $not_before, $rank, $place_host, $place_labels)`,
  );
  const byId = db.prepare<TaskRow, [string]>("SELECT * FROM tasks WHERE id = ?");
  const next = db.prepare<TaskRow, [string]>(
    `SELECT * FROM tasks WHERE worker = ${TEXT_PARAM} AND status = 'queued' ORDER BY rank, seq LIMIT 1`,
  );
  // each reads one partial index in order, skipping only retries that must still wait
  const nextTargeted = db.prepare<TaskRow, [string, number]>(
    `SELECT * FROM tasks WHERE worker = ${TEXT_PARAM} AND status = 'queued' AND not_before <= ?
       ORDER BY rank, seq LIMIT 1`,
  );
  // a pool task that asked for a place is taken only by a worker there: on its host, and on a
  // host with every label it asked for (the taker's labels, as JSON, looked up key by key)
  const placeFits = `AND (place_host IS NULL OR place_host = ?) AND (place_labels IS NULL OR NOT EXISTS
       (SELECT 1 FROM json_each(place_labels) AS j WHERE json_extract(?, '$.' || json_quote(j.key)) IS NOT j.value))`;
  const nextPool = db.prepare<TaskRow, [string, string, number, string, string]>(
    `SELECT * FROM tasks WHERE agent_type = ${TEXT_PARAM} AND project = ${TEXT_PARAM} AND status = 'queued' AND worker IS NULL
       AND not_before <= ? ${placeFits} ORDER BY rank, seq LIMIT 1`,
  );
  const nextPoolAny = db.prepare<TaskRow, [string, number, string, string]>(
    `SELECT * FROM tasks WHERE agent_type = ${TEXT_PARAM} AND project IS NULL AND status = 'queued' AND worker IS NULL
       AND not_before <= ? ${placeFits} ORDER BY rank, seq LIMIT 1`,
  );
  const wake = db.prepare<{ at: number | null }, [number]>(
    "SELECT min(not_before) AS at FROM tasks WHERE status = 'queued' AND not_before > ?",
  );
  const countAll = db.prepare<{ n: number }, []>("SELECT count(*) AS n FROM tasks WHERE status = 'queued'");
  const poolCount = db.prepare<{ n: number }, [string, string | null, string | null, string | null]>(
    `SELECT count(*) AS n FROM tasks WHERE agent_type = ? AND project IS ? AND status = 'queued' AND worker IS NULL
       AND place_host IS ? AND place_labels IS ?`,
  );
  const count = db.prepare<{ n: number }, [string]>(
    "SELECT count(*) AS n FROM tasks WHERE worker = ? AND status = 'queued'",
  );
  const inFlight = db.prepare<TaskRow, []>(
    "SELECT * FROM tasks WHERE status IN ('dispatched', 'running') ORDER BY seq",
  );
  const patch = patchUpdater<TaskPatch, TaskRow>(db, "tasks", "id", TASK_COLUMNS, byId);
  const setPatch = patchSetter<TaskPatch>(db, "tasks", "id", TASK_COLUMNS);
  // the result column holds JSON; everything else binds as it is
  const bindable = (p: TaskPatch): TaskPatch =>
    p.result === undefined ? p : ({ ...p, result: p.result && JSON.stringify(p.result) } as TaskPatch);
  const lister = taskLister(db);

  return {
    insert(t) {
      // the defaults (no run, no retries, the rank from priority and time) are filled once, here
      const task = pickTask(t);
      try {
        const { lastInsertRowid } = insertStmt.run({
          id: task.id,
          worker: task.worker,
          text: task.text,
          priority: task.priority,
          status: task.status,
          exit_code: task.exitCode,
          output: task.output,
          submitted_at: task.submittedAt,
          started_at: task.startedAt,
          finished_at: task.finishedAt,
          attempts: task.attempts,
          error: task.error,
          timeout_ms: task.timeoutMs,
          result: task.result === null ? null : JSON.stringify(task.result),
          agent_type: task.agentType,
          project: task.project,
          run_id: task.runId,
          step: task.step,
          max_retries: task.maxRetries,
          not_before: task.notBefore,
          rank: task.rank,
          place_host: task.place?.host ?? null,
          place_labels: placeLabelsJson(task.place),
        });
        return { ...task, seq: Number(lastInsertRowid) };
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
      const r = patch(id, bindable(p));
      return r ? toTask(r) : null;
    },
    set(id, p) {
      return setPatch(id, bindable(p));
    },
    nextQueued(worker) {
      const r = next.get(worker);
      return r ? toTask(r) : null;
    },
    nextFor(taker, now) {
      let best: TaskRow | null = nextTargeted.get(taker.worker, now);
      const { host, labels } = taker;
      for (const r of [
        nextPool.get(taker.type, taker.project, now, host, labels),
        nextPoolAny.get(taker.type, now, host, labels),
      ]) {
        if (r && (!best || r.rank < best.rank || (r.rank === best.rank && r.seq < best.seq))) best = r;
      }
      return best ? toTask(best) : null;
    },
    nextWake(now) {
      return wake.get(now)?.at ?? null;
    },
    countAllQueued() {
      return countAll.get()?.n ?? 0;
    },
    countPool(agentType, project, place) {
      return poolCount.get(agentType, project, place?.host ?? null, placeLabelsJson(place))?.n ?? 0;
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
    ids: createIdIndex(db, "tasks"),
  };
}

/** Only the Task fields of `t`, in a fresh object (callers may pass objects with more in them). */
function pickTask(t: NewTask): Omit<Task, "seq"> {
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
    agentType: t.agentType ?? null,
    project: t.project ?? null,
    runId: t.runId ?? null,
    step: t.step ?? null,
    maxRetries: t.maxRetries ?? 0,
    notBefore: t.notBefore ?? 0,
    rank: t.rank ?? queueRank(t.priority, t.submittedAt, DEFAULT_PRIORITY_AGING_MS),
    ...(t.place ? { place: t.place } : {}),
  };
}

/** A place's labels as stored: JSON with the keys sorted (so equal sets compare equal), or null. */
export function placeLabelsJson(place: TaskPlace | null | undefined): string | null {
  const labels = place?.labels;
  if (!labels || Object.keys(labels).length === 0) return null;
  return JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1))));
}
