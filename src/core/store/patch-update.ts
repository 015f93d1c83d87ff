/**
 * Partial updates ("set these fields, leave the rest") with prepared statements: one UPDATE
 * per distinct set of fields, prepared the first time that set is seen and reused after.
 */
import type { Database, SQLQueryBindings, Statement } from "bun:sqlite";

/**
 * Build `update(key, patch)` for `table`, matching rows on `keyColumn`. `columns` maps every
 * patchable field to its column; a patch field that is not in it throws (it would otherwise
 * be silently dropped), a field whose value is `undefined` is left unchanged, and `null`
 * stores NULL. Returns the row after the update, `null` when no row has that key. An empty
 * patch changes nothing and returns the row read by `select` (bound with the key).
 *
 * @example
 * ```ts
 * const update = patchUpdater<{ state: string }, WorkerRow>(db, "workers", "name", { state: "state" }, selectByName);
 * update("c1", { state: "idle" }); // UPDATE workers SET state = ? WHERE name = ? RETURNING *
 * ```
 */
export function patchUpdater<P extends object, Row>(
  db: Database,
  table: string,
  keyColumn: string,
  columns: { readonly [K in keyof Required<P>]: string },
  select: Statement<Row, [string]>,
): (key: string, patch: Partial<P>) => Row | null {
  const cache = new Map<string, Statement<Row, SQLQueryBindings[]>>();
  return (key, patch) => {
    // one pass over the patch: its fields, in its own order, name the prepared statement
    let shape = "";
    const values: SQLQueryBindings[] = [];
    for (const field in patch) {
      if (!Object.hasOwn(columns, field)) {
        throw new TypeError(`cannot update ${table}.${field}: not a field that can be changed (key ${key})`);
      }
      const value = patch[field as keyof P];
      if (value === undefined) continue;
      shape = shape ? `${shape},${field}` : field;
      values.push(value as SQLQueryBindings);
    }
    if (!shape) return select.get(key);
    let stmt = cache.get(shape);
    if (stmt === undefined) {
      const assignments = shape
        .split(",")
        .map((f) => `${columns[f as keyof P]} = ?`)
        .join(", ");
      stmt = db.prepare<Row, SQLQueryBindings[]>(
        `UPDATE ${table} SET ${assignments} WHERE ${keyColumn} = ? RETURNING *`,
      );
      cache.set(shape, stmt);
    }
    values.push(key);
    return stmt.get(...values);
  };
}
