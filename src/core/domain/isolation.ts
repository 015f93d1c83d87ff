/**
 * Least privilege at start: orch's state (store, logs, sockets) must be reachable by its owner
 * only, and orch does not run as root unless told to. Pure rules; the caller reads the file
 * system and the uid.
 */

/** What is known about one existing path under ORCH_HOME (from `stat`). */
export interface PathFacts {
  path: string;
  isDir: boolean;
  /** `st_mode` (the permission bits are read from it). */
  mode: number;
  /** Owner's uid. */
  uid: number;
}

/** Mode orch expects of its folders. */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode orch expects of its files. */
export const PRIVATE_FILE_MODE = 0o600;

/** The permission bits as `chmod` writes them, e.g. "0755". */
export function octalMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, "0");
}

/** `path` as one shell word, for a command the user can paste. */
function shellWord(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/**
 * Why `f` is not the caller's, or null when it belongs to `uid`: names the path, its owner, the
 * caller and the fix.
 *
 * @example
 * ```ts
 * ownerProblem({ path: "/tmp/shared/orch.sock", isDir: false, mode: 0o140600, uid: 65534 }, 1000);
 * // "/tmp/shared/orch.sock belongs to uid 65534, not to you (uid 1000): orch's files must be yours alone; ..."
 * ```
 */
export function ownerProblem(f: PathFacts, uid: number): string | null {
  if (f.uid === uid) return null;
  const what = f.isDir ? "folder" : "file";
  return (
    `${f.path} belongs to uid ${f.uid}, not to you (uid ${uid}): orch's ${what}s must be yours ` +
    `alone; run chown ${uid} ${shellWord(f.path)} as root, or use another --home`
  );
}

/**
 * The first path that others could reach: owned by another uid than `uid`, or with any
 * group/other permission bit. The answer names the path, what it is, what was expected and
 * the command that fixes it; null when every path is private.
 *
 * @example
 * ```ts
 * privacyProblem([{ path: "/home/u/.local/state/orch/logs", isDir: true, mode: 0o40755, uid: 1000 }], 1000);
 * // "/home/u/.local/state/orch/logs is mode 0755: expected 0700 (only you); run chmod 700 /home/u/.local/state/orch/logs"
 * ```
 */
export function privacyProblem(facts: readonly PathFacts[], uid: number): string | null {
  for (const f of facts) {
    const want = f.isDir ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
    const owner = ownerProblem(f, uid);
    if (owner) return owner;
    if ((f.mode & 0o077) !== 0) {
      return (
        `${f.path} is mode ${octalMode(f.mode)}: expected ${octalMode(want)} (only you); ` +
        `run chmod ${want.toString(8)} ${shellWord(f.path)}`
      );
    }
  }
  return null;
}

/**
 * Why orch will not run as `uid`, or null: root is refused on a host unless `allowRoot` (config
 * `allowRoot: true`, env ORCH_ALLOW_ROOT=1), since every agent would get root's rights. In a
 * `sandbox` (a container, where root is the norm and owns nothing outside) it is allowed.
 *
 * @example
 * ```ts
 * rootRefusal(0, false, false); // "refusing to run as root: agents would get root's rights; ..."
 * rootRefusal(0, true, false);  // null
 * rootRefusal(0, false, true);  // null: a container
 * rootRefusal(1000, false, false); // null
 * ```
 */
export function rootRefusal(uid: number, allowRoot: boolean, sandbox: boolean): string | null {
  if (uid !== 0 || allowRoot || sandbox) return null;
  return (
    "refusing to run as root: agents would get root's rights; run as a normal user, " +
    "or set allowRoot: true (ORCH_ALLOW_ROOT=1) if you mean it (in a container, IS_SANDBOX=1)"
  );
}
