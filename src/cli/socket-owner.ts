/**
 * The CLI talks only to a controller of the caller's own: an `orch.sock` (or an ORCH_HOME)
 * that another uid owns may be anyone's server, e.g. one planted in a shared folder, and
 * whatever it answers would be believed. The daemon refuses such a home at start; the CLI
 * refuses to connect.
 */
import { lstatSync, type Stats, statSync } from "node:fs";
import { ownerProblem } from "../core/domain/isolation.ts";

/** What lstat and stat say of `path` (a symlink and what it points to); none when missing. */
function stats(path: string): Stats[] {
  try {
    return [lstatSync(path, { throwIfNoEntry: false }), statSync(path, { throwIfNoEntry: false })].filter(
      (s): s is Stats => s !== undefined,
    );
  } catch {
    // unreadable (EACCES) or not a folder (ENOTDIR): connecting fails and says so
    return [];
  }
}

/**
 * Why the CLI must not talk to the controller on `socket` in `home`, or null: either of them
 * (or a symlink in their place) owned by another uid than `uid`. Missing paths are fine (no
 * controller runs there). Root gets no exception, as in the daemon's rule.
 *
 * @example
 * ```ts
 * socketOwnerRefusal("/tmp/shared", "/tmp/shared/orch.sock", 1000);
 * // "/tmp/shared/orch.sock belongs to uid 65534, not to you (uid 1000): ..."
 * ```
 */
export function socketOwnerRefusal(home: string, socket: string, uid: number): string | null {
  for (const path of [home, socket]) {
    for (const st of stats(path)) {
      const problem = ownerProblem({ path, isDir: st.isDirectory(), mode: st.mode, uid: st.uid }, uid);
      if (problem) return problem;
    }
  }
  return null;
}
