/** Opening the durable store: the file, its modes, the connection, the schema, the repositories. */
import type { Database } from "bun:sqlite";
import { dirname, resolve } from "node:path";
import { errorMessage } from "../domain/result.ts";
import { type Durability, openConnection } from "../runtime/sqlite-connection.ts";
import { type AttemptsRepo, createAttemptsRepo } from "./attempts-repo.ts";
import { backupDatabase } from "./backup.ts";
import { damagedStoreMessage, diskFull, StoreOpenError, StoreWriteError, storeFaultKind } from "./errors.ts";
import { createEventsRepo, type EventsRepo } from "./events-repo.ts";
import { GuardedTransactions } from "./guarded-transaction.ts";
import { createHostsRepo, type HostsRepo } from "./hosts-repo.ts";
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
  readonly hosts: HostsRepo;
  /** Deletes of old final tasks, events and runs (`orch prune`, the retention setting). */
  readonly prune: PruneRepo;
  /**
   * Run `fn` in one transaction (BEGIN IMMEDIATE) and return its result: all of its writes
   * commit together, or none if it throws. `fn` must be synchronous; a nested call is a
   * savepoint inside the outer transaction.
   */
  transaction<T>(fn: () => T): T;
  /**
   * Runs `fn` once the current transaction has committed (it is dropped if that rolls back);
   * at once outside a transaction. For what must never happen for an unstored change: typing a
   * task into a pane, answering a client.
   */
  afterCommit(fn: () => void): void;
  /** Runs `fn` if the current transaction rolls back (nothing outside one). */
  onRollback(fn: () => void): void;
  /**
   * Calls `l` with each {@link StoreWriteError}: a commit that failed because the disk is full,
   * failing, or the file damaged (its transaction was rolled back). Returns the unsubscribe.
   */
  onFault(l: (fault: StoreWriteError) => void): () => void;
  /** Tries a tiny write: null when the store takes writes (again), else why not. */
  probeWrite(): StoreWriteError | null;
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
    if (!memory) checkIntact(db, file);
    migrate(db, file);
    if (!memory) restrictSidecars(file);
  } catch (err) {
    db?.close(false);
    throw openFailure(file, err);
  }
  return makeStore(db, file, opts.redact);
}

/** SQLite's quick check of every page: a damaged file is refused, naming the damage. */
function checkIntact(db: Database, file: string): void {
  const rows = db.query("PRAGMA quick_check(3)").all() as Array<{ quick_check: string }>;
  const found = rows
    .flatMap((r) => r.quick_check.split("\n"))
    .filter((r) => r !== "ok" && !r.startsWith("*** "));
  if (found.length > 0) throw new StoreOpenError(file, null, damagedStoreMessage(file, found.join("; ")));
}

/** Why the store could not be opened, as one StoreOpenError: a full disk is not damage. */
function openFailure(file: string, err: unknown): StoreOpenError {
  if (err instanceof StoreOpenError) return err;
  const kind = storeFaultKind(err, file);
  if (kind === "full")
    return new StoreOpenError(
      file,
      err,
      `cannot open the orch store ${file}: disk full at ${dirname(file)} (${errorMessage(err)}); the store itself is not damaged: free some space, then start orch again`,
    );
  if (kind === "corrupt") return new StoreOpenError(file, err, damagedStoreMessage(file, errorMessage(err)));
  return new StoreOpenError(file, err);
}

function makeStore(db: Database, file: string, redact: Redactor | undefined): Store {
  let closed = false;
  const tx = new GuardedTransactions(db, file);
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
    hosts: createHostsRepo(db),
    prune: createPruneRepo(db),
    transaction<T>(fn: () => T): T {
      return tx.run(fn);
    },
    afterCommit: (fn) => tx.afterCommit(fn),
    onRollback: (fn) => tx.onRollback(fn),
    onFault: (l) => tx.onFault(l),
    probeWrite() {
      // a tiny write may fit in the WAL's old space while a real commit would not
      if (file !== ":memory:" && diskFull(file))
        return new StoreWriteError(file, "full", new Error("no space left on the device"));
      try {
        const { user_version: v } = db.query("PRAGMA user_version").get() as { user_version: number };
        tx.run(() => db.run(`PRAGMA user_version = ${Number(v)}`));
        return null;
      } catch (err) {
        const fault = tx.classify(err);
        if (fault instanceof StoreWriteError) return fault;
        throw err;
      }
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
