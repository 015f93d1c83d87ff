/** A `tasks` row as SQLite returns it, and its conversion to the domain {@link Task}. */
import type { Task, TaskPriority, TaskResultMeta, TaskStatus } from "../domain/types.ts";

/**
 * A `tasks` row: snake_case columns, integers as numbers. A type (not an interface) so that
 * it can be bound as statement parameters.
 *
 * @example
 * ```ts
 * const row = db.prepare<TaskRow, [string]>("SELECT * FROM tasks WHERE id = ?").get(id);
 * ```
 */
export type TaskRow = {
  seq: number;
  id: string;
  worker: string | null;
  text: string;
  priority: number;
  status: string;
  exit_code: number | null;
  output: string | null;
  submitted_at: number;
  started_at: number | null;
  finished_at: number | null;
  attempts: number;
  error: string | null;
  timeout_ms: number;
  /** JSON of {@link TaskResultMeta}, or null. */
  result: string | null;
  agent_type: string | null;
  project: string | null;
  run_id: string | null;
  step: string | null;
  max_retries: number;
  not_before: number;
  rank: number;
  /** Absent in a row read before migration 6 (never: the store migrates on open). */
  output_bytes?: number | null;
  /** Absent in a row read before migration 9. */
  host?: string | null;
  place_host?: string | null;
  /** JSON of a labels record, or null. */
  place_labels?: string | null;
};

/**
 * The domain task stored in `r`. The schema's CHECK constraints guarantee the casts.
 *
 * @example
 * ```ts
 * const task = row ? toTask(row) : null;
 * ```
 */
export function toTask(r: TaskRow): Task {
  return {
    id: r.id,
    seq: r.seq,
    worker: r.worker,
    text: r.text,
    priority: r.priority as TaskPriority,
    status: r.status as TaskStatus,
    exitCode: r.exit_code,
    output: r.output,
    submittedAt: r.submitted_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    attempts: r.attempts,
    error: r.error,
    timeoutMs: r.timeout_ms,
    result: r.result === null ? null : (JSON.parse(r.result) as TaskResultMeta),
    agentType: r.agent_type,
    project: r.project,
    runId: r.run_id,
    step: r.step,
    maxRetries: r.max_retries,
    notBefore: r.not_before,
    rank: r.rank,
    // only on a task whose output was cut: every other task reads as it was inserted
    ...(r.output_bytes != null ? { outputBytes: r.output_bytes } : {}),
    ...(r.host != null ? { host: r.host } : {}),
    ...(r.place_host != null || r.place_labels != null
      ? {
          place: {
            host: r.place_host ?? null,
            labels: r.place_labels != null ? (JSON.parse(r.place_labels) as Record<string, string>) : null,
          },
        }
      : {}),
  };
}
