/**
 * The errors the store throws on purpose. Anything else that escapes it is a bug or an
 * I/O failure reported by SQLite as is.
 */
import { statfsSync } from "node:fs";
import { dirname } from "node:path";
import { errorMessage } from "../domain/result.ts";

/** What to tell a user whose store file cannot be used. */
const RESTORE_HINT =
  "If the file is damaged, stop orch, restore it from a backup made with `orch backup` by running `orch restore FILE`, then start orch again.";

/**
 * The store file could not be opened, is not an orch database, or could not be prepared for
 * use. The message names the file and the cause and says how to restore a backup.
 *
 * @example
 * ```ts
 * try {
 *   openStore("/home/me/.local/state/orch/orch.db");
 * } catch (err) {
 *   if (err instanceof StoreOpenError) console.error(err.message); // "cannot open the orch store /home/...: file is not a database. ..."
 * }
 * ```
 */
export class StoreOpenError extends Error {
  override readonly name: string = "StoreOpenError";
  /** The store file that could not be opened. */
  readonly file: string;

  constructor(file: string, cause: unknown, message?: string) {
    super(message ?? `cannot open the orch store ${file}: ${errorMessage(cause)}. ${RESTORE_HINT}`, {
      cause,
    });
    this.file = file;
  }
}

/**
 * The store file was written by a newer orch: its schema version is higher than any this
 * binary knows. orch refuses to touch it rather than guess. A kind of {@link StoreOpenError}.
 *
 * @example
 * ```ts
 * // err.message: "the orch store /x/orch.db has schema version 7, but this orch only knows
 * // versions up to 1: it was written by a newer orch. Upgrade orch, or ..."
 * if (err instanceof StoreVersionError) console.error(err.found, err.known);
 * ```
 */
export class StoreVersionError extends StoreOpenError {
  override readonly name: string = "StoreVersionError";
  /** The schema version found in the file. */
  readonly found: number;
  /** The newest schema version this binary knows. */
  readonly known: number;

  constructor(file: string, found: number, known: number) {
    super(
      file,
      undefined,
      `the orch store ${file} has schema version ${found}, but this orch only knows versions up to ${known}: ` +
        "it was written by a newer orch. Upgrade orch, or restore a backup made by this version with `orch restore FILE`.",
    );
    this.found = found;
    this.known = known;
  }
}

/**
 * An insert collided with a record that already exists (same worker name or id, same task id).
 *
 * @example
 * ```ts
 * try {
 *   store.workers.insert(worker);
 * } catch (err) {
 *   if (err instanceof StoreConflictError) console.error(err.message); // 'a worker named "c1" already exists'
 * }
 * ```
 */
export class StoreConflictError extends Error {
  override readonly name: string = "StoreConflictError";
}

/**
 * Whether `err` is SQLite refusing a duplicate primary key or unique value.
 *
 * @example
 * ```ts
 * try { stmt.run(row); } catch (err) { if (isUniqueViolation(err)) throw new StoreConflictError("taken"); throw err; }
 * ```
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/** Why the store cannot take writes: the disk is full, the disk failed, or the file is damaged. */
export type StoreFaultKind = "full" | "io" | "corrupt";

/**
 * A write to the store did not reach it: nothing of the change was stored (the transaction was
 * rolled back). `kind` says why; the message names the cause and the file, and what to do:
 * free space (orch resumes by itself), or restore a backup when the file is damaged.
 *
 * @example
 * ```ts
 * try { store.transaction(() => store.tasks.insert(t)); }
 * catch (err) { if (err instanceof StoreWriteError) console.error(err.message); } // "cannot write the store: disk full at /x (/x/orch.db) ..."
 * ```
 */
export class StoreWriteError extends Error {
  override readonly name: string = "StoreWriteError";

  constructor(
    readonly file: string,
    readonly kind: StoreFaultKind,
    cause: unknown,
  ) {
    super(storeFaultMessage(file, kind, cause), { cause });
  }
}

/** The one line a user reads about a store that cannot take writes. */
export function storeFaultMessage(file: string, kind: StoreFaultKind, cause: unknown): string {
  if (kind === "full")
    return `cannot write the store: disk full at ${dirname(file)} (${file}); nothing of this change was stored. Free some space: orch resumes by itself`;
  if (kind === "io")
    return `cannot write the store ${file}: ${errorMessage(cause)}; nothing of this change was stored. orch tries again by itself`;
  return `${damagedStoreMessage(file, errorMessage(cause))}; writes are stopped`;
}

/** One line naming the damaged store file, the damage, and how to restore it. */
export function damagedStoreMessage(file: string, damage: string): string {
  return `the orch store ${file} is damaged (${damage}): stop orch (agents keep running), restore a backup made with \`orch backup\` by running \`orch restore FILE\`, then start orch again`;
}

/** Whether the folder of `file` has no space left (or no inodes) for a process like this one. */
export function diskFull(file: string): boolean {
  try {
    const st = statfsSync(dirname(file));
    // SQLite writes pages, a few at a time: "almost nothing left" is full for it
    return st.bavail * st.bsize < 256 * 1024 || st.ffree === 0;
  } catch {
    return false;
  }
}

/**
 * What kind of store fault `err` is (disk full, I/O error, damaged file), or null when it is
 * anything else (a constraint, a bug). An I/O error on a full disk counts as full.
 *
 * @example
 * ```ts
 * storeFaultKind({ code: "SQLITE_FULL" }, "/x/orch.db"); // "full"
 * ```
 */
export function storeFaultKind(err: unknown, file: string): StoreFaultKind | null {
  const code = String((err as { code?: unknown } | null)?.code ?? "");
  if (code === "SQLITE_FULL") return "full";
  if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") return "corrupt";
  if (code.startsWith("SQLITE_IOERR") || code === "SQLITE_CANTOPEN") return diskFull(file) ? "full" : "io";
  const errno = (err as NodeJS.ErrnoException | null)?.code;
  if (errno === "ENOSPC" || errno === "EDQUOT") return "full";
  return null;
}
