import { copyFileSync, existsSync, renameSync, rmSync } from "node:fs";
import { errorMessage, fail, ok, type Result } from "../../domain/result.ts";
import { openReadonly } from "../../runtime/sqlite-connection.ts";
import { SCHEMA_VERSION } from "../../store/index.ts";
import { wrongPathKind } from "../../store/path-kind.ts";

/** What {@link restoreStore} did: where the old store went. */
export interface RestoreResult {
  /** The store that was replaced, kept under this name (null when there was none). */
  previous: string | null;
  schemaVersion: number;
  tasks: number;
  workers: number;
}

/**
 * Puts a backup in place of the store at `dbFile` (the controller must not be running): checks
 * that `file` is an orch store this orch can read and that SQLite finds it intact, keeps the
 * current store as `<dbFile>.before-restore-<time>`, and copies the backup in with mode 0600.
 * A backup that is missing, damaged, not an orch store or too new is a `bad_input` failure.
 *
 * @example
 * ```ts
 * restoreStore("/backups/orch-monday.db", `${home}/orch.db`);
 * // { ok: true, value: { previous: ".../orch.db.before-restore-2025-01-01T10-00-00-000Z", ... } }
 * ```
 */
export function restoreStore(file: string, dbFile: string, now = new Date()): Result<RestoreResult> {
  const notFile = wrongPathKind("backup file", file, "file");
  if (notFile) return fail("bad_input", notFile);
  let info: { version: number; tasks: number; workers: number };
  try {
    const db = openReadonly(file);
    try {
      const version = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
      const check = (db.query("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check;
      if (check !== "ok") return fail("bad_input", `backup file "${file}" is damaged: ${check}`);
      if (version < 1) return fail("bad_input", `"${file}" is not an orch store (no orch schema in it)`);
      if (version > SCHEMA_VERSION)
        return fail(
          "bad_input",
          `"${file}" was written by a newer orch (schema ${version}; this one reads up to ${SCHEMA_VERSION})`,
        );
      const count = (table: string) =>
        (db.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      info = { version, tasks: count("tasks"), workers: count("workers") };
    } finally {
      db.close();
    }
  } catch (e) {
    return fail("bad_input", `"${file}" is not an orch store: ${errorMessage(e)}`);
  }
  let previous: string | null = null;
  if (existsSync(dbFile)) {
    previous = `${dbFile}.before-restore-${now.toISOString().replace(/[:.]/g, "-")}`;
    renameSync(dbFile, previous);
  }
  for (const side of ["-wal", "-shm"]) rmSync(`${dbFile}${side}`, { force: true });
  copyFileSync(file, dbFile);
  return ok({ previous, schemaVersion: info.version, tasks: info.tasks, workers: info.workers });
}
