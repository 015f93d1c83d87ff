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
  const statement = statementsByShape<Row>(db, table, keyColumn, columns, " RETURNING *");
  return (key, patch) => {
    const p = patchValues(table, key, columns, patch);
    if (!p) return select.get(key);
    p.values.push(key);
    return statement(p.shape).get(...p.values);
  };
}

/**
 * Like {@link patchUpdater}, without reading the row back: `set(key, patch)` is true when a row
 * has that key (and an empty patch, which changes nothing, is false).
 *
 * @example
 * ```ts
 * const set = patchSetter<{ state: string }>(db, "workers", "name", { state: "state" });
 * set("c1", { state: "idle" }); // UPDATE workers SET state = ? WHERE name = ?
 * ```
 */
export function patchSetter<P extends object>(
  db: Database,
  table: string,
  keyColumn: string,
  columns: { readonly [K in keyof Required<P>]: string },
): (key: string, patch: Partial<P>) => boolean {
  const statement = statementsByShape<unknown>(db, table, keyColumn, columns, "");
  return (key, patch) => {
    const p = patchValues(table, key, columns, patch);
    if (!p) return false;
    p.values.push(key);
    return statement(p.shape).run(...p.values).changes > 0;
  };
}

/** The patch's defined fields in its own order (`shape`, naming the statement) and their values. */
function patchValues<P extends object>(
  table: string,
  key: string,
  columns: { readonly [K in keyof Required<P>]: string },
  patch: Partial<P>,
): { shape: string; values: SQLQueryBindings[] } | null {
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
  return shape ? { shape, values } : null;
}

/** One prepared UPDATE per patch shape, made the first time that shape is seen. */
function statementsByShape<Row>(
  db: Database,
  table: string,
  keyColumn: string,
  columns: Readonly<Record<string, string>>,
  tail: string,
): (shape: string) => Statement<Row, SQLQueryBindings[]> {
  const cache = new Map<string, Statement<Row, SQLQueryBindings[]>>();
  return (shape) => {
    let stmt = cache.get(shape);
    if (stmt === undefined) {
      const assignments = shape
        .split(",")
        .map((f) => `${columns[f]} = ?`)
        .join(", ");
      stmt = db.prepare<Row, SQLQueryBindings[]>(
        `UPDATE ${table} SET ${assignments} WHERE ${keyColumn} = ?${tail}`,
      );
      cache.set(shape, stmt);
    }
    return stmt;
  };
}
