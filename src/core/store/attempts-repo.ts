/** The `task_attempts` table: the earlier attempts of tasks that were retried. */

import type { Database } from "bun:sqlite";
import type { TaskAttempt, TaskStatus } from "../domain/types.ts";
import { TEXT_PARAM } from "./text-param.ts";

/**
 * Earlier attempts of retried tasks; a task's latest attempt is the task row itself.
 *
 * @example
 * ```ts
 * store.attempts.add({ taskId, attempt: 1, worker: "w1", status: "failed", exitCode: 1,
 *   startedAt, finishedAt, error: "exited with status 1", output: "boom\n" });
 * store.attempts.of(taskId); // [{ attempt: 1, ... }]
 * ```
 */
export interface AttemptsRepo {
  add(a: TaskAttempt): void;
  /** The recorded attempts of a task, oldest first. */
  of(taskId: string): TaskAttempt[];
}

type AttemptRow = {
  task_id: string;
  attempt: number;
  worker: string | null;
  status: string;
  exit_code: number | null;
  started_at: number | null;
  finished_at: number | null;
  error: string | null;
  output: string | null;
};

/** The attempts repository over a migrated store connection. */
export function createAttemptsRepo(db: Database): AttemptsRepo {
  const insert = db.prepare<never, [AttemptRow]>(
    `INSERT OR REPLACE INTO task_attempts (task_id, attempt, worker, status, exit_code, started_at, finished_at, error, output)
     VALUES ($task_id, $attempt, $worker, $status, $exit_code, $started_at, $finished_at, $error, $output)`,
  );
  const byTask = db.prepare<AttemptRow, [string]>(
    `SELECT * FROM task_attempts WHERE task_id = ${TEXT_PARAM} ORDER BY attempt`,
  );
  return {
    add(a) {
      insert.run({
        task_id: a.taskId,
        attempt: a.attempt,
        worker: a.worker,
        status: a.status,
        exit_code: a.exitCode,
        started_at: a.startedAt,
        finished_at: a.finishedAt,
        error: a.error,
        output: a.output,
      });
    },
    of(taskId) {
      return byTask.all(taskId).map((r) => ({
        taskId: r.task_id,
        attempt: r.attempt,
        worker: r.worker,
        status: r.status as TaskStatus,
        exitCode: r.exit_code,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        error: r.error,
        output: r.output,
      }));
    },
  };
}
