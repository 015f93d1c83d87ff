/**
 * The schema, as a list of versioned migrations. The version a database is at lives in
 * `PRAGMA user_version`; opening a store applies the missing migrations in one transaction.
 * Never edit a migration that has shipped: add a new one.
 */
import type { Database } from "bun:sqlite";
import { StoreVersionError } from "./errors.ts";

/**
 * One step of the schema: the statements that take a database from `version - 1` to `version`.
 *
 * @example
 * ```ts
 * const m: Migration = { version: 2, up: ["ALTER TABLE tasks ADD COLUMN run TEXT"] };
 * ```
 */
export interface Migration {
  version: number;
  up: string[];
}

const WORKER_STATES_V1 = "'idle', 'running', 'waiting_input', 'error', 'dead'";
const WORKER_STATES = "'idle', 'running', 'waiting_input', 'rate_limited', 'error', 'dead'";
const TASK_STATUSES = "'queued', 'dispatched', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled'";

/**
 * Every migration this binary knows, oldest first, versions 1, 2, 3, ...
 *
 * @example
 * ```ts
 * MIGRATIONS.at(-1)?.version; // 1, the same as SCHEMA_VERSION
 * ```
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up: [
      `CREATE TABLE workers (
        id TEXT PRIMARY KEY,
        name TEXT UNIQUE NOT NULL,
        type TEXT NOT NULL,
        project TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN (${WORKER_STATES_V1})),
        pane_id TEXT,
        current_task TEXT,
        restarts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        error TEXT
      ) STRICT`,
      `CREATE TABLE tasks (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT UNIQUE NOT NULL,
        worker TEXT,
        text TEXT NOT NULL,
        priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 4),
        status TEXT NOT NULL CHECK (status IN (${TASK_STATUSES})),
        exit_code INTEGER,
        output TEXT,
        submitted_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        timeout_ms INTEGER NOT NULL
      ) STRICT`,
      // The per-worker queue of v1 (dropped in v4).
      "CREATE INDEX tasks_queue ON tasks (worker, status, priority, seq)",
      // Small by nature: only the tasks in flight are in it.
      "CREATE INDEX tasks_in_flight ON tasks (seq) WHERE status IN ('dispatched', 'running')",
      `CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        worker TEXT,
        task TEXT,
        data TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data))
      ) STRICT`,
    ],
  },
  {
    // agent plugins: the rate_limited worker state, and what an agent reports about a task
    version: 2,
    up: [
      `CREATE TABLE workers_v2 (
        id TEXT PRIMARY KEY,
        name TEXT UNIQUE NOT NULL,
        type TEXT NOT NULL,
        project TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN (${WORKER_STATES})),
        pane_id TEXT,
        current_task TEXT,
        restarts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        error TEXT
      ) STRICT`,
      "INSERT INTO workers_v2 SELECT id, name, type, project, state, pane_id, current_task, restarts, created_at, error FROM workers",
      "DROP TABLE workers",
      "ALTER TABLE workers_v2 RENAME TO workers",
      "ALTER TABLE tasks ADD COLUMN result TEXT CHECK (result IS NULL OR json_valid(result))",
    ],
  },
  {
    // the scheduler: pool tasks (any worker of a type/project), aging priority, retries, workflow runs
    version: 3,
    up: [
      "ALTER TABLE tasks ADD COLUMN agent_type TEXT",
      "ALTER TABLE tasks ADD COLUMN project TEXT",
      "ALTER TABLE tasks ADD COLUMN run_id TEXT",
      "ALTER TABLE tasks ADD COLUMN step TEXT",
      "ALTER TABLE tasks ADD COLUMN max_retries INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE tasks ADD COLUMN not_before INTEGER NOT NULL DEFAULT 0",
      // the queue order: submitted_at plus (priority - 1) aging periods; lower runs first
      "ALTER TABLE tasks ADD COLUMN rank INTEGER NOT NULL DEFAULT 0",
      "UPDATE tasks SET rank = submitted_at + (priority - 1) * 60000",
      // a worker's own queue and the pools, each read in rank order from its index
      "CREATE INDEX tasks_targeted ON tasks (worker, rank, seq) WHERE status = 'queued'",
      "CREATE INDEX tasks_pool ON tasks (agent_type, project, rank, seq) WHERE status = 'queued' AND worker IS NULL",
      "CREATE INDEX tasks_run ON tasks (run_id, step) WHERE run_id IS NOT NULL",
      `CREATE TABLE task_attempts (
        task_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        worker TEXT,
        status TEXT NOT NULL,
        exit_code INTEGER,
        started_at INTEGER,
        finished_at INTEGER,
        error TEXT,
        output TEXT,
        PRIMARY KEY (task_id, attempt)
      ) STRICT`,
      `CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        file TEXT,
        workflow TEXT NOT NULL CHECK (json_valid(workflow)),
        status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
        started_at INTEGER NOT NULL,
        finished_at INTEGER
      ) STRICT`,
      `CREATE TABLE run_steps (
        run_id TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled')),
        reason TEXT,
        started_at INTEGER,
        finished_at INTEGER,
        PRIMARY KEY (run_id, name)
      ) STRICT`,
    ],
  },
  {
    // Speed: every status change rewrote an entry of tasks_queue, which only the pre-v3 queue
    // read used. A worker's tasks are listed in seq order from tasks_worker, which a status
    // change leaves alone.
    version: 4,
    up: ["DROP INDEX tasks_queue", "CREATE INDEX tasks_worker ON tasks (worker, seq)"],
  },
  {
    // add-worker --worktree: the git worktree orch made for a worker (removed with it), or NULL
    version: 5,
    up: ["ALTER TABLE workers ADD COLUMN worktree TEXT"],
  },
  {
    // values kept for the store's lifetime, e.g. the key the task markers' nonces are made with
    version: 6,
    up: ["CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT"],
  },
  {
    // maxOutputBytes: a task's stored output is capped; the size of the whole output (kept in
    // its file under $ORCH_HOME/outputs) when it was cut, else NULL
    version: 7,
    up: ["ALTER TABLE tasks ADD COLUMN output_bytes INTEGER"],
  },
  {
    // other machines reached over OpenSSH (`orch host add`); "local" is never stored
    version: 8,
    up: [
      `CREATE TABLE hosts (
        name TEXT PRIMARY KEY,
        dest TEXT NOT NULL,
        port INTEGER,
        labels TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(labels)),
        max_workers INTEGER,
        facts TEXT CHECK (facts IS NULL OR json_valid(facts)),
        added_at INTEGER NOT NULL
      ) STRICT`,
    ],
  },
  {
    // the host a worker runs on ("local": this machine), the host a task ran on, and where a
    // pool task asked to run (a host, and labels its host must have)
    version: 9,
    up: [
      "ALTER TABLE workers ADD COLUMN host TEXT NOT NULL DEFAULT 'local'",
      "ALTER TABLE tasks ADD COLUMN host TEXT",
      "ALTER TABLE tasks ADD COLUMN place_host TEXT",
      "ALTER TABLE tasks ADD COLUMN place_labels TEXT CHECK (place_labels IS NULL OR json_valid(place_labels))",
    ],
  },
];

/**
 * The schema version this binary writes and the newest it can read.
 *
 * @example
 * ```ts
 * if (found > SCHEMA_VERSION) console.error("written by a newer orch");
 * ```
 */
export const SCHEMA_VERSION: number = MIGRATIONS.at(-1)?.version ?? 0;

/**
 * Bring `db` up to the newest version in `migrations`: read `PRAGMA user_version`, run the
 * missing migrations in order inside one IMMEDIATE transaction (so two processes opening the
 * same new file do not both migrate it), and record the new version. Running it again is a
 * no-op. Throws {@link StoreVersionError} when the database is newer than `migrations`; `file`
 * is only used in that message.
 *
 * @example
 * ```ts
 * const db = openConnection("/tmp/orch/orch.db");
 * migrate(db, "/tmp/orch/orch.db"); // { from: 0, to: 1 } the first time, { from: 1, to: 1 } after
 * ```
 */
export function migrate(
  db: Database,
  file: string,
  migrations: readonly Migration[] = MIGRATIONS,
): { from: number; to: number } {
  checkMigrations(migrations);
  const known = migrations.at(-1)?.version ?? 0;
  const run = db.transaction(() => {
    const from = userVersion(db);
    if (from > known) throw new StoreVersionError(file, from, known);
    for (const m of migrations) {
      if (m.version <= from) continue;
      for (const sql of m.up) db.run(sql);
    }
    if (known > from) db.run(`PRAGMA user_version = ${known}`);
    return { from, to: Math.max(from, known) };
  });
  // Fast path without taking the write lock: the usual case is an up-to-date database.
  const current = userVersion(db);
  if (current > known) throw new StoreVersionError(file, current, known);
  if (current === known) return { from: current, to: current };
  return run.immediate();
}

/**
 * The schema version recorded in the database file (0 for a new, empty file).
 *
 * @example
 * ```ts
 * userVersion(new Database("/tmp/orch/orch.db", { readonly: true })); // 1
 * ```
 */
export function userVersion(db: Database): number {
  const row = db.query("PRAGMA user_version").get() as { user_version: number };
  return row.user_version;
}

/** Refuse a list that is not versions 1, 2, 3, ... in order: a programming error. */
function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration #${i} has version ${m.version}; versions must be 1, 2, 3, ... in order`);
    }
  });
}
