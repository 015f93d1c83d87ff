/** Ids by prefix, read from a table's unique index on `id`: lookups and the short ids tables show. */

import type { Database } from "bun:sqlite";
import { prefixEnd } from "../domain/id-prefix.ts";
import { TEXT_PARAM } from "./text-param.ts";

/**
 * The ids of one table (tasks or runs), looked up by prefix through the index on `id`.
 *
 * @example
 * ```ts
 * store.tasks.ids.withPrefix("01a23575-8e83", 10); // { ids: ["01a23575-8e83-7457-..."], total: 1 }
 * store.tasks.ids.around("01a23575-8e83-7457-b509-c58cd8947b0c"); // [null, "01a23575-8e84-7001-..."]
 * ```
 */
export interface IdIndex {
  /** True when a row has exactly this id. */
  has(id: string): boolean;
  /** The ids that start with `prefix`, in id order: the first `limit` of them, and how many in all. */
  withPrefix(prefix: string, limit: number): { ids: string[]; total: number };
  /**
   * The ids just before and after `id` in sorted order (null: none): the only ones that can
   * share more of its beginning than any other (see shortestUniquePrefix).
   */
  around(id: string): [before: string | null, after: string | null];
}

/**
 * The {@link IdIndex} of `table` (which has a unique index on its text column `id`); every
 * lookup is a range read of that index.
 *
 * @example
 * ```ts
 * const ids = createIdIndex(db, "tasks");
 * ids.has(taskId); // true
 * ```
 */
export function createIdIndex(db: Database, table: "tasks" | "runs"): IdIndex {
  const has = db.prepare<{ one: number }, [string]>(`SELECT 1 AS one FROM ${table} WHERE id = ?`);
  const range = db.prepare<{ id: string }, [string, string, number]>(
    `SELECT id FROM ${table} WHERE id >= ${TEXT_PARAM} AND id < ${TEXT_PARAM} ORDER BY id LIMIT ?`,
  );
  const count = db.prepare<{ n: number }, [string, string]>(
    `SELECT count(*) AS n FROM ${table} WHERE id >= ${TEXT_PARAM} AND id < ${TEXT_PARAM}`,
  );
  const around = db.prepare<{ before: string | null; after: string | null }, [string, string]>(
    `SELECT (SELECT id FROM ${table} WHERE id < ${TEXT_PARAM} ORDER BY id DESC LIMIT 1) AS before,
            (SELECT id FROM ${table} WHERE id > ${TEXT_PARAM} ORDER BY id LIMIT 1) AS after`,
  );
  return {
    has: (id) => has.get(id) !== null,
    withPrefix(prefix, limit) {
      const end = prefixEnd(prefix);
      const ids = range.all(prefix, end, limit).map((r) => r.id);
      const total = ids.length < limit ? ids.length : count.get(prefix, end)!.n;
      return { ids, total };
    },
    around(id) {
      const r = around.get(id, id)!;
      return [r.before, r.after];
    },
  };
}
