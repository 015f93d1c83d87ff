/** The `meta` table: small values the controller keeps for the store's lifetime, by key. */

import type { Database } from "bun:sqlite";

/**
 * Values by key, written once and read back across restarts (e.g. the key the task markers'
 * nonces are made with).
 *
 * @example
 * ```ts
 * const key = store.meta.ensure("marker_key", () => randomBytes(32).toString("hex"));
 * store.meta.get("marker_key"); // the same value, also after a restart
 * ```
 */
export interface MetaRepo {
  get(key: string): string | null;
  /** The value stored under `key`; the first call stores `make()` and returns it. */
  ensure(key: string, make: () => string): string;
}

/** The meta repository over a migrated store connection. */
export function createMetaRepo(db: Database): MetaRepo {
  const select = db.prepare<{ value: string }, [string]>("SELECT value FROM meta WHERE key = ?");
  const insert = db.prepare<never, [string, string]>(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
  );
  const get = (key: string) => select.get(key)?.value ?? null;
  return {
    get,
    ensure(key, make) {
      const found = get(key);
      if (found !== null) return found;
      insert.run(key, make());
      return get(key) ?? "";
    },
  };
}
