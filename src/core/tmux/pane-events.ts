/**
 * The two ways tmux tells orch that a pane's program exited, in one place: the line the
 * server's `pane-died` hook appends to the events file, and the control-mode subscription to
 * every pane's `pane_dead`. Both are written and read here, so their formats cannot drift.
 */
import { formatLiteral, shellQuote, tmuxCommand } from "./quote.ts";

/** A pane's program exited: its pane id and tmux's exit status (empty when tmux gave none). */
export interface PaneDied {
  paneId: string;
  status: string;
}

/** The name of orch's control-mode subscription to every pane's `pane_dead`. */
export const DEAD_SUBSCRIPTION = "orch-dead";

/**
 * The subscription's format: tmux compares it about once a second, so the pid makes a death
 * after a quick respawn a new value.
 */
export const DEAD_SUBSCRIPTION_FORMAT = "#{pane_dead}:#{pane_pid}:#{pane_dead_status}";

/**
 * The tmux command the server's `pane-died` hook runs: it appends `pane-died %PANE STATUS`
 * to `eventsFile`.
 */
export function paneDiedHookCommand(eventsFile: string): string {
  const report = `printf 'pane-died %s %s\\n' '#{hook_pane}' '#{pane_dead_status}' >> ${shellQuote(formatLiteral(eventsFile))}`;
  return tmuxCommand("run-shell", "-b", report);
}

/**
 * Reads a line of the events file; null for anything that is not a pane death.
 *
 * @example
 * parsePaneDiedLine("pane-died %3 127"); // { paneId: "%3", status: "127" }
 * parsePaneDiedLine("pane-died %3 ");    // { paneId: "%3", status: "" }
 */
export function parsePaneDiedLine(line: string): PaneDied | null {
  const [kind, paneId, status] = line.trim().split(" ");
  if (kind !== "pane-died" || !paneId?.startsWith("%")) return null;
  return { paneId, status: status ?? "" };
}

/**
 * Reads a `subscription-changed` value of {@link DEAD_SUBSCRIPTION}; null unless it says the
 * pane is dead.
 *
 * @example
 * parseDeadSubscription("%3", "1:4242:0"); // { paneId: "%3", status: "0" }
 * parseDeadSubscription("%3", "0:4242:");  // null
 */
export function parseDeadSubscription(paneId: string | null | undefined, value: string): PaneDied | null {
  const [dead, , status] = value.split(":");
  if (dead !== "1" || !paneId) return null;
  return { paneId, status: status ?? "" };
}
