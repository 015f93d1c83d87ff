/**
 * The errors the store throws on purpose. Anything else that escapes it is a bug or an
 * I/O failure reported by SQLite as is.
 */
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
