/**
 * Quoting for tmux command lines. A control-mode command is one line that tmux parses like a
 * config file line, so every argument orch sends goes through {@link quoteArg} (usually via
 * {@link tmuxCommand}); nothing else in the code base builds tmux argument syntax by hand.
 */

// Inside double quotes tmux expands `\`, `$` and a leading `~`; a raw LF or CR would end or
// alter the line. Everything else (`;`, `#`, `'`, `{}`, any Unicode) is literal there.
const SPECIAL = /[\x00-\x1f\x7f"$\\]/g;
const NEEDS_ESCAPE = /[\x00-\x1f\x7f"$\\]|^~/;

function escapeChar(c: string): string {
  if (c === "\\" || c === '"' || c === "$") return `\\${c}`;
  return `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`;
}

/**
 * Quotes one argument for a tmux command line: always a double-quoted string in which `\`, `"`
 * and `$` are backslash-escaped, control characters (including LF, CR and DEL) are `\ooo`
 * octal, and a leading `~` is escaped so tmux does not expand it to a home directory. Throws a
 * RangeError for NUL, which a tmux argument (a C string) cannot hold.
 *
 * @example
 * quoteArg('say "hi"; $HOME');  // => "\"say \\\"hi\\\"; \\$HOME\""
 * quoteArg("a\nb");             // => "\"a\\012b\""
 */
export function quoteArg(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  if (s.includes("\0")) {
    throw new RangeError(`tmux arguments cannot contain NUL (\\0): ${JSON.stringify(s.slice(0, 80))}`);
  }
  const body = s.replace(SPECIAL, escapeChar);
  return `"${body.startsWith("~") ? `\\${body}` : body}"`;
}

/**
 * Makes a value literal inside a format-expanded argument (e.g. `new-window -n`, `-c`, `-F`,
 * `pipe-pane`'s command) by doubling every `#`. Quote the result with {@link quoteArg} as usual.
 *
 * @example
 * tmuxCommand("new-window", "-n", formatLiteral("build #1"));  // name shows as "build #1"
 */
export function formatLiteral(s: string): string {
  return s.replaceAll("#", "##");
}

/**
 * Builds one control-mode command line: the command name as is, each argument quoted.
 * Put `--` before free text that may start with `-`.
 *
 * @example
 * tmuxCommand("send-keys", "-t", "%3", "-l", "--", "echo hi;");
 * // => 'send-keys "-t" "%3" "-l" "--" "echo hi;"'
 */
export function tmuxCommand(name: string, ...args: string[]): string {
  let line = name;
  for (const arg of args) line += ` ${quoteArg(arg)}`;
  return line;
}

/**
 * Quotes a string for a POSIX shell (`sh -c`), e.g. a path in `pipe-pane`'s shell command:
 * single quotes, with each `'` written as `'\''`.
 *
 * @example
 * shellQuote("it's here");  // => "'it'\\''s here'"
 */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}
