/**
 * How tmux tells of a pane whose process ended (remain-on-exit keeps the pane): the line the
 * pane-died hook appends to orch's events file, and the control-mode subscription to every
 * pane's `pane_dead`. Both carry the exit status and the signal, so a death is told as
 * "exited with status 3" or "killed by signal 9 (SIGKILL)".
 */

/** How a pane's process ended: its exit status, or the signal that killed it (as tmux printed them). */
export interface PaneExit {
  /** The exit status; null when a signal ended it (or tmux did not say). */
  status: number | null;
  /** The signal, a number ("9") or, on some systems, a name ("KILL"); null when it exited. */
  signal: string | null;
}

/** A pane-died line: which pane, and how its process ended. */
export interface PaneDied extends PaneExit {
  paneId: string;
}

/**
 * The shell line the pane-died hook runs (a tmux format: tmux fills in the pane, its status and
 * its signal, tmux 3.3 and newer; older ones leave the signal empty), appending to `file`,
 * which must already be quoted for the shell and escaped for a tmux format.
 *
 * @example
 * ```ts
 * paneDiedReport("'/home/u/.local/state/orch/run/tmux-events'");
 * // "printf 'pane-died %s %s %s\\n' '#{hook_pane}' '#{pane_dead_status}' '#{pane_dead_signal}' >> '...'"
 * ```
 */
export function paneDiedReport(file: string): string {
  return `printf 'pane-died %s %s %s\\n' '#{hook_pane}' '#{pane_dead_status}' '#{pane_dead_signal}' >> ${file}`;
}

/** The format orch subscribes to for every pane; see {@link parsePaneDeadValue}. */
export const PANE_DEAD_FORMAT = "#{pane_dead}:#{pane_pid}:#{pane_dead_status}:#{pane_dead_signal}";

function exitOf(status: string | undefined, signal: string | undefined): PaneExit {
  const n = status === undefined || status === "" ? Number.NaN : Number(status);
  return {
    status: Number.isInteger(n) ? n : null,
    signal: signal === undefined || signal === "" || signal === "0" ? null : signal,
  };
}

/**
 * A line of the pane-died hook, `pane-died %PANE STATUS SIGNAL` (one space between fields,
 * empty fields empty; a line written before the signal was added has no SIGNAL), or null for
 * any other line.
 *
 * @example
 * ```ts
 * parsePaneDiedLine("pane-died %3 0 "); // { paneId: "%3", status: 0, signal: null }
 * parsePaneDiedLine("pane-died %3  9"); // { paneId: "%3", status: null, signal: "9" }
 * parsePaneDiedLine("pane-died %3 1"); // { paneId: "%3", status: 1, signal: null }
 * ```
 */
export function parsePaneDiedLine(line: string): PaneDied | null {
  const [kind, paneId, status, signal] = line.replace(/\r?\n$/, "").split(" ");
  if (kind !== "pane-died" || !paneId?.startsWith("%")) return null;
  return { paneId, ...exitOf(status, signal) };
}

/**
 * A value of the {@link PANE_DEAD_FORMAT} subscription: whether the pane is dead and, if so,
 * how its process ended.
 *
 * @example
 * ```ts
 * parsePaneDeadValue("1:4242::9"); // { dead: true, status: null, signal: "9" }
 * parsePaneDeadValue("0:4242::"); // { dead: false, status: null, signal: null }
 * ```
 */
export function parsePaneDeadValue(value: string): PaneExit & { dead: boolean } {
  const [dead, , status, signal] = value.split(":");
  return { dead: dead === "1", ...exitOf(status, signal) };
}
