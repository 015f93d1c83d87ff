/** How an agent's end is told to people: the exit status it gave, or the signal that killed it. */

/**
 * The signals whose numbers are the same on Linux, the BSDs and macOS (the others, e.g. 10
 * and 12, differ between them and are shown by number only).
 */
const SIGNAL_NAMES: Readonly<Record<number, string>> = {
  1: "SIGHUP",
  2: "SIGINT",
  3: "SIGQUIT",
  4: "SIGILL",
  5: "SIGTRAP",
  6: "SIGABRT",
  8: "SIGFPE",
  9: "SIGKILL",
  11: "SIGSEGV",
  13: "SIGPIPE",
  14: "SIGALRM",
  15: "SIGTERM",
};

/** A number tmux printed (`#{pane_dead_status}`), or null when empty or not one. */
function asNumber(v: number | string | null | undefined): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

/**
 * The signal as "signal 9 (SIGKILL)", from its number or its name (tmux prints the number on
 * Linux and may print the name, "KILL", elsewhere); null for none (empty, 0).
 */
function signalText(signal: number | string | null | undefined): string | null {
  if (signal === null || signal === undefined || signal === "" || signal === 0 || signal === "0") return null;
  const n = asNumber(signal);
  if (n !== null) return SIGNAL_NAMES[n] ? `signal ${n} (${SIGNAL_NAMES[n]})` : `signal ${n}`;
  const name = `SIG${String(signal).toUpperCase().replace(/^SIG/, "")}`;
  const known = Object.entries(SIGNAL_NAMES).find(([, v]) => v === name);
  return known ? `signal ${known[0]} (${name})` : name;
}

/**
 * Why an agent's process ended, from what tmux says of its dead pane: `status` (the exit
 * status, empty when a signal ended it) and `signal` (the signal, by number or name; empty or
 * 0 when it exited). Either may be a number or the text tmux printed.
 *
 * @example
 * ```ts
 * describeExit(3, null); // "agent exited with status 3"
 * describeExit("", "9"); // "agent killed by signal 9 (SIGKILL)"
 * describeExit(null, "KILL"); // "agent killed by signal 9 (SIGKILL)"
 * describeExit(null, 10); // "agent killed by signal 10"
 * describeExit(null, null); // "agent exited with status ?"
 * ```
 */
export function describeExit(
  status: number | string | null | undefined,
  signal: number | string | null | undefined,
): string {
  const killed = signalText(signal);
  if (killed) return `agent killed by ${killed}`;
  return `agent exited with status ${asNumber(status) ?? "?"}`;
}
