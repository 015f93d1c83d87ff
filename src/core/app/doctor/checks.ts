/**
 * `orch doctor`'s verdicts, from what the command found on this machine (pure: the command runs
 * the programs and reads the files). A `missing` check makes doctor exit 1; `warn` and `info`
 * are said, not counted.
 */

/** One line of the doctor's report. */
export interface DoctorCheck {
  name: string;
  status: "ok" | "missing" | "warn" | "info";
  detail: string;
  /** What to do about it, for `missing` and `warn`. */
  fix?: string;
}

/** The oldest tmux orch runs with. */
export const MIN_TMUX: readonly [number, number] = [3, 2];

/**
 * The tmux check from `tmux -V`'s output (null: it did not run).
 *
 * @example
 * ```ts
 * tmuxCheck("tmux 3.3a\n"); // { name: "tmux", status: "ok", detail: "tmux 3.3a" }
 * tmuxCheck("tmux 3.1c\n").status; // "missing" (too old)
 * ```
 */
export function tmuxCheck(versionOutput: string | null): DoctorCheck {
  const install = "install tmux 3.2 or newer (Debian/Ubuntu: apt-get install tmux; macOS: brew install tmux)";
  if (versionOutput === null)
    return { name: "tmux", status: "missing", detail: "tmux not found on PATH", fix: install };
  const said = versionOutput.trim();
  const m = /(\d+)\.(\d+)/.exec(said);
  // a build from git says "tmux master" or "tmux next-3.5": taken as new enough
  if (!m) return { name: "tmux", status: "ok", detail: `${said} (a development build)` };
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const old = major < MIN_TMUX[0] || (major === MIN_TMUX[0] && minor < MIN_TMUX[1]);
  return old
    ? {
        name: "tmux",
        status: "missing",
        detail: `${said} is too old: orch needs tmux 3.2 or newer`,
        fix: install,
      }
    : { name: "tmux", status: "ok", detail: said };
}

/**
 * The check of orch's home directory from its owner and mode (null: not there yet).
 *
 * @example
 * ```ts
 * homeCheck("/home/me/.local/state/orch", { uid: 1000, mode: 0o755 }, 1000).fix; // "chmod 700 /home/me/.local/state/orch"
 * ```
 */
export function homeCheck(home: string, st: { uid: number; mode: number } | null, uid: number): DoctorCheck {
  const name = "orch home";
  if (st === null) return { name, status: "info", detail: `${home} is not there yet (orch start makes it)` };
  if (st.uid !== uid)
    return {
      name,
      status: "missing",
      detail: `${home} belongs to uid ${st.uid}, not to you (uid ${uid})`,
      fix: `use an ORCH_HOME of your own, or chown -R ${uid} ${home}`,
    };
  const mode = st.mode & 0o777;
  if (mode & 0o077)
    return {
      name,
      status: "missing",
      detail: `${home} has mode 0${mode.toString(8)}: others can read what orch keeps there (logs, tasks)`,
      fix: `chmod 700 ${home}`,
    };
  return { name, status: "ok", detail: `${home}, yours, mode 0${mode.toString(8)}` };
}

/** The store's check from `PRAGMA quick_check`'s lines (null: there is no store yet). */
export function storeCheck(file: string, quickCheck: string[] | null, error?: string): DoctorCheck {
  const name = "store";
  if (error !== undefined)
    return {
      name,
      status: "missing",
      detail: `${file} cannot be read: ${error}`,
      fix: "orch restore BACKUP (docs/operations.md)",
    };
  if (quickCheck === null)
    return { name, status: "info", detail: `${file} is not there yet (orch start makes it)` };
  if (quickCheck.length === 1 && quickCheck[0] === "ok")
    return { name, status: "ok", detail: `${file} passes quick_check` };
  return {
    name,
    status: "missing",
    detail: `${file} is damaged: ${quickCheck.slice(0, 3).join("; ")}`,
    fix: "orch restore BACKUP (docs/operations.md)",
  };
}
