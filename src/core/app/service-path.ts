/**
 * The PATH a service unit gives `orch daemon`: one that fits the user the service runs as,
 * never the installer's PATH when that is another user (e.g. root's, under sudo, whose
 * `/root/...` entries the service user cannot even read).
 */
import { dirname, isAbsolute, normalize } from "node:path";
import { fail, ok, type Result } from "../domain/result.ts";

/** The system's folders, as systemd itself sets PATH for services (on a merged-/usr system too). */
export const SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

export interface ServicePathInput {
  /** HOME of the user the service runs as. */
  serviceHome: string;
  /** HOME of who runs `orch service install`. */
  installerHome: string;
  /** The service runs as the installer (not a --run-as or sudo user): their PATH fits it. */
  sameUser: boolean;
  /** The installer's PATH. */
  installerPath: string | undefined;
  /** Absolute paths of programs the service needs (orch's binary, tmux), as found now. */
  programs: string[];
}

/** The PATH, and the entries left out because they lie in another user's home. */
export interface ServicePath {
  path: string;
  leftOut: string[];
}

/** True when `dir` is `home` or inside it. */
function inside(dir: string, home: string): boolean {
  const h = normalize(home).replace(/\/+$/, "");
  return h !== "" && (dir === h || dir.startsWith(`${h}/`));
}

/**
 * True when `dir` lies in a home that is not the service user's: the installer's (when that is
 * someone else), `/root`, or another one under `/home`.
 */
function othersHome(dir: string, i: ServicePathInput): boolean {
  if (inside(dir, i.serviceHome)) return false;
  return (!i.sameUser && inside(dir, i.installerHome)) || inside(dir, "/root") || inside(dir, "/home");
}

/**
 * The service's PATH. For the installer's own service: their PATH (so the agents' CLIs are
 * found as in their shell), then the system folders it lacks. For another user: that user's
 * `~/.local/bin` (where Claude Code's and pip's installers put programs), then the system
 * folders. Then, either way, the folders of orch's binary and tmux. Relative entries and any
 * entry in another user's home are left out; duplicates are kept once.
 *
 * @example
 * ```ts
 * servicePath({ serviceHome: "/home/ann", installerHome: "/root", sameUser: false,
 *   installerPath: "/root/.bun/bin:/usr/bin", programs: ["/opt/orch/orch", "/usr/bin/tmux"] });
 * // { path: "/home/ann/.local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/orch",
 * //   leftOut: ["/root/.bun/bin"] }
 * ```
 */
export function servicePath(i: ServicePathInput): ServicePath {
  const first = i.sameUser
    ? (i.installerPath ?? "").split(":")
    : [`${i.serviceHome.replace(/\/+$/, "")}/.local/bin`];
  const wanted = [...first, ...SYSTEM_PATH, ...i.programs.filter(isAbsolute).map((p) => dirname(p))];
  const kept: string[] = [];
  const leftOut: string[] = [];
  for (const entry of wanted) {
    if (!entry || !isAbsolute(entry)) continue;
    const dir = normalize(entry).replace(/(.)\/+$/, "$1");
    if (othersHome(dir, i)) {
      if (!leftOut.includes(dir)) leftOut.push(dir);
    } else if (!kept.includes(dir)) kept.push(dir);
  }
  return { path: kept.join(":"), leftOut };
}

/**
 * Checks a PATH given with `--path`: colon-separated absolute folders.
 *
 * @example
 * ```ts
 * parsePathOption("/usr/bin:/opt/agents/bin"); // { ok: true, value: "/usr/bin:/opt/agents/bin" }
 * parsePathOption("bin:/usr/bin");
 * // { ok: false, code: "bad_input", error: '--path entry "bin": expected an absolute folder' }
 * ```
 */
export function parsePathOption(value: string): Result<string> {
  const entries = value.split(":");
  const bad = entries.find((e) => !isAbsolute(e));
  if (bad !== undefined) return fail("bad_input", `--path entry "${bad}": expected an absolute folder`);
  return ok(entries.join(":"));
}
