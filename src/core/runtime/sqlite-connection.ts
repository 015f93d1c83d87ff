/**
 * One SQLite connection set up the way the store relies on: WAL journal, a busy timeout so a
 * second process waits instead of failing, foreign keys enforced.
 */
import { Database } from "bun:sqlite";

/**
 * How hard a commit tries to reach the disk: "normal" survives a crash of orch, "full" also a
 * power loss.
 *
 * @example
 * ```ts
 * const durability: Durability = process.env.ORCH_DURABILITY === "full" ? "full" : "normal";
 * ```
 */
export type Durability = "normal" | "full";

/**
 * The oldest SQLite the schema works with: STRICT tables (3.37), RETURNING (3.35) and the
 * built-in JSON functions (3.38). An older one is refused when the store opens.
 *
 * @example
 * ```ts
 * console.log(`orch needs SQLite ${MIN_SQLITE_VERSION} or newer`);
 * ```
 */
export const MIN_SQLITE_VERSION = "3.38.0";

/**
 * Open (creating if needed) the SQLite database at `path` and configure it:
 * `journal_mode=WAL`, `synchronous=NORMAL` (`FULL` for durability "full"),
 * `busy_timeout=5000`, `foreign_keys=ON`. Bind parameters are "strict": `$name` in SQL is
 * bound from `{ name }`. Throws what SQLite throws (e.g. "file is not a database"); the
 * caller adds context.
 *
 * With "normal", a commit survives a crash of orch; with "full", also a power loss.
 *
 * @example
 * ```ts
 * const db = openConnection("/tmp/orch/orch.db", "full");
 * db.query("PRAGMA journal_mode").get(); // { journal_mode: "wal" }
 * ```
 */
export function openConnection(path: string, durability: Durability = "normal"): Database {
  const db = new Database(path, { create: true, readwrite: true, strict: true });
  try {
    // First, before anything reads the file: another process may hold a lock right now.
    db.run("PRAGMA busy_timeout = 5000");
    const { v } = db.query("SELECT sqlite_version() AS v").get() as { v: string };
    if (compareVersions(v, MIN_SQLITE_VERSION) < 0) {
      throw new Error(`SQLite ${v} is too old: orch needs ${MIN_SQLITE_VERSION} or newer`);
    }
    // A garbage file shows here or just above: "file is not a database".
    db.run("PRAGMA journal_mode = WAL");
    db.run(`PRAGMA synchronous = ${durability === "full" ? "FULL" : "NORMAL"}`);
    db.run("PRAGMA foreign_keys = ON");
    return db;
  } catch (err) {
    db.close(false);
    throw err;
  }
}

/** Compare dotted version strings numerically: negative if a < b, 0 if equal, positive if a > b. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Opens an SQLite file read-only, as it is (no WAL switch, nothing written): for looking into
 * a backup before it is restored. Throws what SQLite throws.
 *
 * @example
 * ```ts
 * const db = openReadonly("/backups/orch-2026-12-01.db");
 * db.query("PRAGMA integrity_check").get(); // { integrity_check: "ok" }
 * db.close();
 * ```
 */
export function openReadonly(path: string): Database {
  return new Database(path, { readonly: true });
}
