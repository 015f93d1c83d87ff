/** The query behind `store.tasks.list`: tasks by seq, narrowed by worker, status and count. */

import type { Database, SQLQueryBindings, Statement } from "bun:sqlite";
import type { TaskStatus } from "../domain/types.ts";
import type { TaskRow } from "./task-row.ts";
import { TEXT_PARAM } from "./text-param.ts";

/**
 * What {@link TasksRepo.list} returns: all tasks unless narrowed.
 *
 * @example
 * ```ts
 * const latest: TaskListOptions = { worker: "c1", status: ["succeeded", "failed"], order: "desc", limit: 20 };
 * ```
 */
export interface TaskListOptions {
  /** Only the tasks of this worker. */
  worker?: string;
  /** Only the tasks of this workflow run (and, with `step`, of that step). */
  runId?: string;
  step?: string;
  /** Only tasks in one of these statuses (an empty array matches none). */
  status?: TaskStatus[];
  /** At most this many (a whole number, 0 or more). */
  limit?: number;
  /** By seq: "asc" (default) oldest first, "desc" newest first. */
  order?: "asc" | "desc";
}

/**
 * `list` with one prepared statement per combination of filters, so each can use the indexes
 * (a single statement with "$worker IS NULL OR ..." could not). Throws a RangeError naming a
 * bad `limit` or `order`.
 *
 * @example
 * ```ts
 * const list = taskLister(db);
 * list({ worker: "c1", order: "desc", limit: 20 }); // SELECT * FROM tasks WHERE worker = ? ORDER BY seq DESC LIMIT ?
 * ```
 */
export function taskLister(db: Database): (opts: TaskListOptions) => TaskRow[] {
  const cache = new Map<string, Statement<TaskRow, SQLQueryBindings[]>>();
  return (opts) => {
    const { worker, runId, step, status, limit, order = "asc" } = opts;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new RangeError(`tasks.list: limit must be a whole number, 0 or more; got ${limit}`);
    }
    if (order !== "asc" && order !== "desc") {
      throw new RangeError(`tasks.list: order must be "asc" or "desc"; got ${JSON.stringify(order)}`);
    }
    const where: string[] = [];
    const params: SQLQueryBindings[] = [];
    if (worker !== undefined) {
      where.push(`worker = ${TEXT_PARAM}`);
      params.push(worker);
    }
    if (runId !== undefined) {
      where.push(`run_id = ${TEXT_PARAM}`);
      params.push(runId);
    }
    if (step !== undefined) {
      where.push(`step = ${TEXT_PARAM}`);
      params.push(step);
    }
    if (status !== undefined) {
      where.push("status IN (SELECT value FROM json_each(?))");
      params.push(JSON.stringify(status));
    }
    params.push(limit ?? -1);
    const shape = `${where.join(" AND ")}|${order}`;
    let stmt = cache.get(shape);
    if (stmt === undefined) {
      const filter = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
      stmt = db.prepare<TaskRow, SQLQueryBindings[]>(
        `SELECT * FROM tasks ${filter} ORDER BY seq ${order === "desc" ? "DESC" : "ASC"} LIMIT ?`,
      );
      cache.set(shape, stmt);
    }
    return stmt.all(...params);
  };
}
