/**
 * The durable store on bun:sqlite: workers, tasks and events, schema migrations, backups.
 *
 * @example
 * ```ts
 * import { openStore } from "../store/index.ts";
 * const store = openStore("/home/me/.local/state/orch/orch.db");
 * const next = store.tasks.nextQueued("c1");
 * ```
 */
export type { Durability } from "../runtime/sqlite-connection.ts";
export type { AttemptsRepo } from "./attempts-repo.ts";
export {
  StoreConflictError,
  StoreOpenError,
  StoreVersionError,
  StoreWriteError,
  storeFaultKind,
} from "./errors.ts";
export { type EventListOptions, type EventsRepo, workerEvent } from "./events-repo.ts";
export type { HostRecord, HostsRepo } from "./hosts-repo.ts";
export type { IdIndex } from "./id-index.ts";
export type { MetaRepo } from "./meta-repo.ts";
export { MIGRATIONS, type Migration, SCHEMA_VERSION } from "./migrations.ts";
export { openStore, type Store, type StoreOptions } from "./open-store.ts";
export { PRUNE_BATCH, type PrunedRows, type PruneRepo } from "./prune-repo.ts";
export { type Redactor, redactValue } from "./redacting.ts";
export type { RunRecord, RunStatus, RunStepRecord, RunStepStatus, RunsRepo } from "./runs-repo.ts";
export type { TaskListOptions } from "./tasks-list.ts";
export type { NewTask, QueueTaker, TaskPatch, TasksRepo } from "./tasks-repo.ts";
export type { WorkerPatch, WorkersRepo } from "./workers-repo.ts";
