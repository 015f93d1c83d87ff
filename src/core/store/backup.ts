/** A consistent copy of a live store, taken without stopping it. */
import type { Database } from "bun:sqlite";
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { errorMessage } from "../domain/result.ts";
import { ensurePrivateFile } from "./private-files.ts";
import { storeFileRefusal } from "./store-files.ts";

/**
 * Write a consistent snapshot of `db` (whose file is `dbFile`) to `file` with `VACUUM INTO`,
 * while other statements keep running. The copy is written next to `file` under a temporary
 * name with mode 0600, synced to disk, then renamed over `file`: `file` is either the old file
 * or the complete new backup, never half of one. The folder of `file` must exist. Throws an
 * Error naming `file` and the cause.
 *
 * @example
 * ```ts
 * backupDatabase(db, "/home/me/.local/state/orch/orch.db", "/backups/orch-2025-01-01.db");
 * ```
 */
export function backupDatabase(db: Database, dbFile: string, file: string): void {
  const target = resolve(file);
  const refused = storeFileRefusal("back up the store to", file, dbFile);
  if (refused) throw new Error(refused);
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${crypto.randomUUID()}`);
  try {
    // VACUUM INTO accepts an empty existing file, so the copy is 0600 from the start.
    ensurePrivateFile(tmp);
    db.run("VACUUM INTO ?", [tmp]);
    syncPath(tmp, "r+");
    renameSync(tmp, target);
    syncPath(dirname(target), "r");
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot back up the orch store to ${file}: ${errorMessage(err)}`, { cause: err });
  }
}

/** Flush a file or folder to disk. */
function syncPath(path: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
