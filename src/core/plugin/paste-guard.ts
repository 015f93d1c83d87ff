/**
 * Text pasted into an agent's TUI must stay a paste: an ESC could end the bracketed paste
 * (`ESC [201~`) and turn the rest into keystrokes. Such text is refused with a clear error.
 */

const FORBIDDEN = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/**
 * Returns `text` with CRLF made LF, or throws naming the first control character that could
 * break out of a paste (ESC and every C0 control but TAB and LF).
 *
 * @example
 * pasteSafe("fix the bug\nin main.ts"); // "fix the bug\nin main.ts"
 * pasteSafe("evil\x1b[201~rm -rf ~");  // throws: task text contains ESC (0x1b) at 4 ...
 */
export function pasteSafe(text: string): string {
  const t = text.replace(/\r\n?/g, "\n");
  const m = FORBIDDEN.exec(t);
  if (m) {
    const code = m[0].charCodeAt(0);
    const name = code === 0x1b ? "ESC" : code === 0x7f ? "DEL" : "a control character";
    throw new Error(
      `task text contains ${name} (0x${code.toString(16).padStart(2, "0")}) at ${m.index}: it could end the paste and type keys into the agent; remove it`,
    );
  }
  return t;
}
