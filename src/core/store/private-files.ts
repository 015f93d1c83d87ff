/**
 * Files that only their owner may read: the store holds task text and agent output, which can
 * carry secrets. New folders get mode 0700, new files 0600, whatever the umask says.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  statSync,
  writeSync,
} from "node:fs";

import { type PathFacts, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "../domain/isolation.ts";

/**
 * Modes of the folders (0700) and files (0600) the store creates.
 *
 * @example
 * ```ts
 * (statSync(dir).mode & 0o777) === PRIVATE_DIR_MODE;
 * ```
 */
export { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE };

/**
 * Create `dir` (and missing parents) with mode 0700 if it does not exist; an existing folder
 * is left as it is.
 *
 * @example
 * ```ts
 * ensurePrivateDir("/home/me/.local/state/orch"); // drwx------ if it was missing
 * ```
 */
export function ensurePrivateDir(dir: string): void {
  const created = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (created !== undefined) chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Create `file` empty with mode 0600 if it does not exist; an existing file is left as it is.
 * Returns whether it was created.
 *
 * @example
 * ```ts
 * ensurePrivateFile("/home/me/.local/state/orch/orch.db"); // -rw------- if it was missing
 * ```
 */
export function ensurePrivateFile(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx", PRIVATE_FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Set mode 0600 on the files SQLite keeps next to a database (`-wal`, `-shm`, `-journal`)
 * that exist right now.
 *
 * @example
 * ```ts
 * restrictSidecars("/home/me/.local/state/orch/orch.db"); // orch.db-wal and orch.db-shm -> 0600
 * ```
 */
export function restrictSidecars(dbFile: string): void {
  for (const suffix of ["-wal", "-shm", "-journal"]) {
    const sidecar = dbFile + suffix;
    if (!existsSync(sidecar)) continue;
    try {
      chmodSync(sidecar, PRIVATE_FILE_MODE);
    } catch (err) {
      // It may vanish between the check and the chmod (a checkpoint by another process).
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
}

/**
 * What `stat` says of each of `paths` that exists (symlinks followed; missing ones are left
 * out), for {@link privacyProblem} in the domain.
 *
 * @example
 * ```ts
 * privacyProblem(pathFacts(["/home/me/.local/state/orch", "/home/me/.local/state/orch/orch.db"]), process.getuid!());
 * ```
 */
export function pathFacts(paths: readonly string[]): PathFacts[] {
  const out: PathFacts[] = [];
  for (const path of paths) {
    const st = statSync(path, { throwIfNoEntry: false });
    if (st) out.push({ path, isDir: st.isDirectory(), mode: st.mode, uid: st.uid });
  }
  return out;
}

/**
 * Write `text` to `file` (created or truncated) so that only its owner can read it: mode 0600,
 * also when the file was there before with another mode. A file that is not a regular one
 * (`/dev/stdout`, a pipe) is written to and left as it is.
 *
 * @example
 * ```ts
 * writePrivateFile("report.md", text); // -rw------- report.md
 * ```
 */
export function writePrivateFile(file: string, text: string): void {
  const fd = openSync(file, "w", PRIVATE_FILE_MODE);
  try {
    const st = fstatSync(fd);
    if (st.isFile() && (st.mode & 0o777) !== PRIVATE_FILE_MODE) fchmodSync(fd, PRIVATE_FILE_MODE);
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
  } finally {
    closeSync(fd);
  }
}
