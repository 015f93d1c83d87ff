/** Opening the durable store: the file, its modes, the connection, the schema, the repositories. */
import type { Database } from "bun:sqlite";
import { dirname, resolve } from "node:path";
import { type Durability, openConnection } from "../runtime/sqlite-connection.ts";
import { type AttemptsRepo, createAttemptsRepo } from "./attempts-repo.ts";
import { backupDatabase } from "./backup.ts";
import { StoreOpenError } from "./errors.ts";
import { createEventsRepo, type EventsRepo } from "./events-repo.ts";
import { createMetaRepo, type MetaRepo } from "./meta-repo.ts";
import { migrate } from "./migrations.ts";
import { ensurePrivateDir, ensurePrivateFile, restrictSidecars } from "./private-files.ts";
import { createPruneRepo, type PruneRepo } from "./prune-repo.ts";
import { type Redactor, redactingRepos } from "./redacting.ts";
import { createRunsRepo, type RunsRepo } from "./runs-repo.ts";
import { createTasksRepo, type TasksRepo } from "./tasks-repo.ts";
import { createWorkersRepo, type WorkersRepo } from "./workers-repo.ts";

/**
 * Options of {@link openStore}.
 *
 * @example
 * ```ts
 * openStore(file, { durability: "full" } satisfies StoreOptions);
 * ```
 */
export interface StoreOptions {
  /**
   * "normal" (default): a commit survives orch crashing (SQLite `synchronous=NORMAL` in WAL
   * mode). "full": it also survives a power loss, at the cost of an fsync per commit.
   */
  durability?: Durability;
  /** Masks what agents printed before it is stored (see redacting.ts); none: kept as it is. */
  redact?: Redactor;
}

/**
 * The durable store: workers, tasks and events in one SQLite file. Get one from
 * {@link openStore}; one process (the controller) writes it, others may read it.
 *
 * @example
 * ```ts
 * const store: Store = openStore(file);
 * const task = store.tasks.get(id);
 * store.backupTo("/backups/orch.db");
 * store.close();
 * ```
 */
export interface Store {
  /** The database file (absolute), or ":memory:". */
  readonly path: string;
  readonly workers: WorkersRepo;
  readonly tasks: TasksRepo;
  readonly events: EventsRepo;
  readonly attempts: AttemptsRepo;
  readonly runs: RunsRepo;
  readonly meta: MetaRepo;
  /** Deletes of old final tasks, events and runs (`orch prune`, the retention setting). */
  readonly prune: PruneRepo;
  /**
   * Run `fn` in one transaction (BEGIN IMMEDIATE) and return its result: all of its writes
   * commit together, or none if it throws. `fn` must be synchronous; a nested call is a
   * savepoint inside the outer transaction.
   */
  transaction<T>(fn: () => T): T;
  /**
   * Write a consistent copy of the store to `file` (mode 0600, replacing it atomically) while
   * the store stays in use. Not allowed inside {@link Store.transaction}.
   */
  backupTo(file: string): void;
  /** Close the store; calling it again does nothing. */
  close(): void;
}

/**
 * Open the store at `path`, creating it if needed: its folder with mode 0700 if missing, the
 * file with mode 0600 before SQLite opens it (and its -wal/-shm files 0600), WAL journal,
 * schema migrated to the newest version. `":memory:"` opens a private in-memory store (for
 * tests). Throws {@link StoreOpenError} naming the file and the cause when it cannot be
 * opened or is not a database, and {@link StoreVersionError} when a newer orch wrote it.
 *
 * @example
 * ```ts
 * const store = openStore(`${process.env.ORCH_HOME}/orch.db`, { durability: "full" });
 * store.transaction(() => {
 *   store.tasks.update(taskId, { status: "succeeded", exitCode: 0, output, finishedAt: Date.now() });
 *   store.workers.update("c1", { state: "idle", currentTask: null });
 * });
 * store.close();
 * ```
 */
export function openStore(path: string, opts: StoreOptions = {}): Store {
  const memory = path === ":memory:";
  const file = memory ? path : resolve(path);
  let db: Database | undefined;
  try {
    if (!memory) {
      ensurePrivateDir(dirname(file));
      ensurePrivateFile(file);
    }
    db = openConnection(file, opts.durability ?? "normal");
    migrate(db, file);
    if (!memory) restrictSidecars(file);
  } catch (err) {
    db?.close(false);
    if (err instanceof StoreOpenError) throw err;
    throw new StoreOpenError(file, err);
  }
  return makeStore(db, file, opts.redact);
}

function makeStore(db: Database, file: string, redact: Redactor | undefined): Store {
  let closed = false;
  // Made once: a call only runs it with the caller's fn.
  const inTransaction = db.transaction(<T>(fn: () => T): T => {
    const result = fn();
    if (isThenable(result)) {
      // Thrown inside, so the transaction rolls back instead of committing half the work.
      throw new TypeError("store.transaction: fn returned a Promise; it must be synchronous");
    }
    return result;
  });
  const plain = {
    workers: createWorkersRepo(db),
    tasks: createTasksRepo(db),
    events: createEventsRepo(db),
    attempts: createAttemptsRepo(db),
    runs: createRunsRepo(db),
  };
  return {
    path: file,
    ...(redact ? redactingRepos(redact, plain) : plain),
    meta: createMetaRepo(db),
    prune: createPruneRepo(db),
    transaction<T>(fn: () => T): T {
      return inTransaction.immediate(fn) as T;
    },
    backupTo(target) {
      backupDatabase(db, file, target);
    },
    close() {
      if (closed) return;
      closed = true;
      db.close(false);
    },
  };
}

function isThenable(x: unknown): boolean {
  return typeof (x as { then?: unknown } | null)?.then === "function";
}
