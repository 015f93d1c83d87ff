/** The `workers` table, read and written as domain {@link Worker} records. */
import type { Database } from "bun:sqlite";
import type { Worker, WorkerState } from "../domain/types.ts";
import { isUniqueViolation, StoreConflictError } from "./errors.ts";
import { patchUpdater } from "./patch-update.ts";

/**
 * The fields of a worker that can change after it is inserted (not `id`, not `name`).
 *
 * @example
 * ```ts
 * const died: WorkerPatch = { state: "dead", paneId: null, error: "pane exited with 137" };
 * ```
 */
export type WorkerPatch = Partial<Omit<Worker, "id" | "name">>;

/**
 * Workers in the store, addressed by their unique name.
 *
 * @example
 * ```ts
 * for (const w of store.workers.list()) if (w.state === "dead") store.workers.update(w.name, { restarts: w.restarts + 1 });
 * ```
 */
export interface WorkersRepo {
  /** Add a worker; throws {@link StoreConflictError} if its name or id is taken. */
  insert(w: Worker): void;
  /** The worker with that name, or null. */
  get(name: string): Worker | null;
  /** The worker with that id (the `@orch_worker` pane option), or null. */
  getById(id: string): Worker | null;
  /** All workers, oldest first. */
  list(): Worker[];
  /** Change some fields; returns the worker as it is now, or null if there is no such worker. */
  update(name: string, patch: WorkerPatch): Worker | null;
  /** The worker took task `taskId`: state running with it as current task (no read back). */
  beginTask(name: string, taskId: string): void;
  /** The worker is idle again after `taskId`, if it is still running that task (not dead since). */
  endTask(name: string, taskId: string): void;
  /** Delete the worker; returns whether there was one. Its tasks are kept. */
  remove(name: string): boolean;
}

/** A row as SQLite returns it (a type, not an interface, so it can be bound as parameters). */
type WorkerRow = {
  id: string;
  name: string;
  type: string;
  project: string;
  worktree: string | null;
  state: string;
  pane_id: string | null;
  current_task: string | null;
  restarts: number;
  created_at: number;
  error: string | null;
  host: string;
};

const WORKER_COLUMNS: { readonly [K in keyof Required<WorkerPatch>]: string } = {
  type: "type",
  project: "project",
  worktree: "worktree",
  state: "state",
  paneId: "pane_id",
  currentTask: "current_task",
  restarts: "restarts",
  createdAt: "created_at",
  error: "error",
  host: "host",
};

function toWorker(r: WorkerRow): Worker {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    project: r.project,
    worktree: r.worktree ?? null,
    state: r.state as WorkerState,
    paneId: r.pane_id,
    currentTask: r.current_task,
    restarts: r.restarts,
    createdAt: r.created_at,
    error: r.error,
    host: r.host,
  };
}

/**
 * The workers repository over `db` (a migrated store connection); statements are prepared
 * here, once.
 *
 * @example
 * ```ts
 * const workers = createWorkersRepo(db);
 * workers.insert({ id: crypto.randomUUID(), name: "c1", type: "shell", project: "/src/app", state: "idle",
 *   worktree: null, paneId: null, currentTask: null, restarts: 0, createdAt: Date.now(), error: null });
 * workers.update("c1", { state: "running", paneId: "%3" });
 * workers.get("c1")?.paneId; // "%3"
 * ```
 */
export function createWorkersRepo(db: Database): WorkersRepo {
  const insertStmt = db.prepare<void, [WorkerRow]>(
    `INSERT INTO workers (id, name, type, project, worktree, state, pane_id, current_task, restarts, created_at, error, host)
     VALUES ($id, $name, $type, $project, $worktree, $state, $pane_id, $current_task, $restarts, $created_at, $error, $host)`,
  );
  const byName = db.prepare<WorkerRow, [string]>("SELECT * FROM workers WHERE name = ?");
  const byId = db.prepare<WorkerRow, [string]>("SELECT * FROM workers WHERE id = ?");
  const all = db.prepare<WorkerRow, []>("SELECT * FROM workers ORDER BY created_at, rowid");
  const removeStmt = db.prepare<void, [string]>("DELETE FROM workers WHERE name = ?");
  const patch = patchUpdater<WorkerPatch, WorkerRow>(db, "workers", "name", WORKER_COLUMNS, byName);
  const begin = db.prepare<void, [string, string]>(
    "UPDATE workers SET state = 'running', current_task = ? WHERE name = ?",
  );
  const end = db.prepare<void, [string, string]>(
    "UPDATE workers SET state = 'idle', current_task = NULL WHERE name = ? AND state = 'running' AND current_task = ?",
  );

  return {
    insert(w) {
      try {
        insertStmt.run({
          id: w.id,
          name: w.name,
          type: w.type,
          project: w.project,
          worktree: w.worktree ?? null,
          state: w.state,
          pane_id: w.paneId,
          current_task: w.currentTask,
          restarts: w.restarts,
          created_at: w.createdAt,
          error: w.error,
          host: w.host,
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        const taken = byName.get(w.name) ? `a worker named "${w.name}"` : `a worker with id ${w.id}`;
        throw new StoreConflictError(`${taken} already exists`, { cause: err });
      }
    },
    get(name) {
      const r = byName.get(name);
      return r ? toWorker(r) : null;
    },
    getById(id) {
      const r = byId.get(id);
      return r ? toWorker(r) : null;
    },
    list() {
      return all.all().map(toWorker);
    },
    update(name, p) {
      const r = patch(name, p);
      return r ? toWorker(r) : null;
    },
    beginTask(name, taskId) {
      begin.run(taskId, name);
    },
    endTask(name, taskId) {
      end.run(name, taskId);
    },
    remove(name) {
      return removeStmt.run(name).changes > 0;
    },
  };
}
