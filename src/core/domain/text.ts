/**
 * One escape sequence, in the order a terminal reads it after ESC:
 * - CSI `ESC [ params intermediates final` (colors, cursor moves, `ESC[?2004h`); an
 *   unfinished one at the end of the text is removed too;
 * - OSC `ESC ] ... BEL` or `... ESC \` (window titles, hyperlinks, cwd reports); like a
 *   terminal, an unterminated OSC swallows text up to the next ESC or the end;
 * - DCS, SOS, PM, APC strings `ESC P|X|^|_ ... ESC \`;
 * - nF sequences such as the charset select `ESC ( B`;
 * - two-character sequences such as `ESC =`, `ESC 7`, `ESC M`;
 * - otherwise the ESC alone.
 * Every branch after ESC always matches (its tail is optional), so the regex never backtracks:
 * linear time.
 */
const ESCAPE =
  /\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[ -/]+[0-~]?|[0-~])?/g;

/**
 * Removes terminal escape sequences (see above), keeping everything else: text, tabs,
 * newlines, carriage returns and all printable Unicode pass through untouched.
 *
 * @example
 * ```ts
 * stripAnsi("\x1b[?2004h\x1b[01;32muser@host\x1b[00m$ ls\r\n"); // "user@host$ ls\r\n"
 * stripAnsi("\x1b]0;title\x07done"); // "done"
 * ```
 */
export function stripAnsi(s: string): string {
  return s.includes("\x1b") ? s.replace(ESCAPE, "") : s;
}

/**
 * Turns terminal line ends into `\n`: every run of `\r` followed by `\n` becomes one `\n`. A
 * `\r` that is not before a `\n` (a progress bar redrawing its line) is kept.
 *
 * @example
 * ```ts
 * normalizeNewlines("a\r\nb\r\r\nc"); // "a\nb\nc"
 * normalizeNewlines("50%\r100%\n"); // "50%\r100%\n"
 * ```
 */
export function normalizeNewlines(s: string): string {
  if (!s.includes("\r")) return s;
  // `\r+\n?` always matches a whole run of \r, so there is no backtracking (`\r+\n` would be
  // quadratic on a long run of \r without \n).
  return s.replace(/\r+\n?/g, (run) => (run.endsWith("\n") ? "\n" : run));
}

/**
 * What orch keeps as a task's output: escapes removed, then line ends normalized.
 *
 * @example
 * ```ts
 * cleanOutput("\x1b[31merror\x1b[0m\r\n"); // "error\n"
 * ```
 */
export function cleanOutput(s: string): string {
  return normalizeNewlines(stripAnsi(s));
}

/**
 * `s` safe to print on a terminal: control characters other than TAB and LF (ESC, BEL, CR,
 * DEL, C1) shown as `\u001b`-style escapes, so text quoted from outside (a task, a path, a
 * plugin's description) cannot move the cursor, set a title or write the clipboard.
 *
 * @example
 * ```ts
 * printable("bad \x1b]52;c;aGk=\x07"); // "bad \\u001b]52;c;aGk=\\u0007"
 * ```
 */
export function printable(s: string): string {
  return s.replace(
    /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
