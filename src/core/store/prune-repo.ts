/** Removing what is old: final tasks, their attempts, old events and finished workflow runs. */
import type { Database } from "bun:sqlite";

/** The final statuses: only a task in one of them is ever pruned. */
const FINAL = "('succeeded', 'failed', 'timed_out', 'cancelled')";

/** How many tasks one {@link PruneRepo.oldTasks} call returns at most. */
export const PRUNE_BATCH = 5000;

/** What a prune removed (or, for a dry run, would remove) from the store. */
export interface PrunedRows {
  tasks: number;
  events: number;
  runs: number;
}

/**
 * Deletes of old rows for `orch prune` and the retention setting. A task is old when it is
 * final and finished before the cutoff; a task that is queued, dispatched or running is never
 * touched, however old.
 *
 * @example
 * ```ts
 * const old = store.prune.oldTasks(cutoff);
 * store.transaction(() => store.prune.deleteTasks(old.map((t) => t.id)));
 * ```
 */
export interface PruneRepo {
  /**
   * Up to {@link PRUNE_BATCH} final tasks finished before `cutoff` (ms) in seq order, from
   * after `afterSeq` (a dry run pages with it; a prune deletes each batch and asks again).
   * A task of a workflow run that is kept (running, or ended after the cutoff) is not one.
   */
  oldTasks(cutoff: number, afterSeq?: number): Array<{ id: string; seq: number }>;
  /** Deletes these tasks and their earlier attempts; returns how many tasks went. */
  deleteTasks(ids: readonly string[]): number;
  /** Deletes events recorded before `cutoff` (count only with `dryRun`). */
  oldEvents(cutoff: number, dryRun: boolean): number;
  /** Deletes workflow runs that ended before `cutoff` and their steps (count only with `dryRun`). */
  oldRuns(cutoff: number, dryRun: boolean): number;
  /** Whether a task with this id is in the store (an output file without one is an orphan). */
  hasTask(id: string): boolean;
}

/** The prune queries over `db` (a migrated store connection). */
export function createPruneRepo(db: Database): PruneRepo {
  // a workflow run's tasks go with their run (its report needs them): not while it is kept
  const oldTasks = db.prepare<{ id: string; seq: number }, [number, number, number, number]>(
    `SELECT id, seq FROM tasks WHERE status IN ${FINAL} AND coalesce(finished_at, submitted_at) < ?
       AND (run_id IS NULL OR run_id NOT IN
         (SELECT id FROM runs WHERE status = 'running' OR coalesce(finished_at, started_at) >= ?))
       AND seq > ? ORDER BY seq LIMIT ?`,
  );
  const delAttempts = db.prepare<never, [string]>("DELETE FROM task_attempts WHERE task_id = ?");
  // the status check again: a prune never deletes a task that is not final
  const delTask = db.prepare<never, [string]>(`DELETE FROM tasks WHERE id = ? AND status IN ${FINAL}`);
  const countEvents = db.prepare<{ n: number }, [number]>("SELECT count(*) AS n FROM events WHERE at < ?");
  const delEvents = db.prepare<never, [number]>("DELETE FROM events WHERE at < ?");
  const oldRunIds = "SELECT id FROM runs WHERE status <> 'running' AND coalesce(finished_at, started_at) < ?";
  const countRuns = db.prepare<{ n: number }, [number]>(`SELECT count(*) AS n FROM (${oldRunIds})`);
  const delSteps = db.prepare<never, [number]>(`DELETE FROM run_steps WHERE run_id IN (${oldRunIds})`);
  const delRuns = db.prepare<never, [number]>(
    "DELETE FROM runs WHERE status <> 'running' AND coalesce(finished_at, started_at) < ?",
  );
  const hasTask = db.prepare<{ one: number }, [string]>("SELECT 1 AS one FROM tasks WHERE id = ?");
  return {
    oldTasks: (cutoff, afterSeq = 0) => oldTasks.all(cutoff, cutoff, afterSeq, PRUNE_BATCH),
    deleteTasks(ids) {
      let n = 0;
      for (const id of ids) {
        const gone = delTask.run(id).changes;
        if (gone) delAttempts.run(id);
        n += gone;
      }
      return n;
    },
    oldEvents: (cutoff, dryRun) =>
      dryRun ? (countEvents.get(cutoff)?.n ?? 0) : delEvents.run(cutoff).changes,
    oldRuns(cutoff, dryRun) {
      if (dryRun) return countRuns.get(cutoff)?.n ?? 0;
      delSteps.run(cutoff);
      return delRuns.run(cutoff).changes;
    },
    hasTask: (id) => hasTask.get(id) !== null,
  };
}
