/**
 * The store's own files (`orch.db` and what SQLite keeps beside it), which no command may write
 * over: a backup or an export written onto one of them destroys the store (or, onto `-shm`,
 * crashes the controller that maps it).
 */
import { realpathSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/** What SQLite keeps next to a database file. */
export const STORE_SIDECARS = ["-wal", "-shm", "-journal"] as const;

/** The database file and its sidecars, as named (not resolved). */
export function storeFiles(dbFile: string): string[] {
  return [dbFile, ...STORE_SIDECARS.map((s) => dbFile + s)];
}

/**
 * `path` with its folder's symlinks and `..` resolved (and the file itself too when it is a
 * symlink that leads somewhere); a folder that does not exist is kept as written.
 */
function realish(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    // a missing file (or a dangling link): resolve what leads to it
  }
  try {
    return join(realpathSync(dirname(abs)), basename(abs));
  } catch {
    return abs;
  }
}

/** Device and inode of `path` (symlinks followed), or null when nothing is there. */
function identity(path: string): string | null {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? `${st.dev}:${st.ino}` : null;
}

/**
 * Why `target` may not be used by a command (`what`: "back up the store to", "write the
 * export to", "restore the store from"): it is the store `dbFile` or one of its sidecars, by
 * name, through a symlink or `..`, or as a hard link to the same file. Null when it is another.
 *
 * @example
 * ```ts
 * storeFileRefusal("write the export to", "/home/me/.local/state/orch/orch.db-shm", "/home/me/.local/state/orch/orch.db");
 * // 'cannot write the export to "/home/me/.local/state/orch/orch.db-shm": it is the orch store\'s own file ...; choose another file'
 * ```
 */
export function storeFileRefusal(what: string, target: string, dbFile: string): string | null {
  const real = realish(target);
  const own = storeFiles(dbFile);
  const ids = new Set(own.map(identity).filter((x): x is string => x !== null));
  const id = identity(target);
  const hit = own.find((f) => realish(f) === real) ?? (id && ids.has(id) ? "the same file" : undefined);
  if (!hit) return null;
  const which = hit === "the same file" ? `a hard link to one of ${dbFile}'s files` : hit;
  return `cannot ${what} ${JSON.stringify(target)}: it is the orch store's own file (${which}), and using it would destroy the store; choose another file`;
}
