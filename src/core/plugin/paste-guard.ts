/**
 * Text pasted into an agent's TUI must stay a paste: an ESC could end the bracketed paste
 * (`ESC [201~`) and turn the rest into keystrokes. The controller refuses such text when a
 * task is sent; plugins that build their own text check it again with this.
 */
import { controlCharacterError } from "../domain/names.ts";

/**
 * Returns `text` with CRLF and CR made LF, or throws naming the first control character that
 * could break out of a paste (the same rule as for task texts: ESC, DEL, C1 and every C0 but
 * TAB and LF).
 *
 * @example
 * pasteSafe("fix the bug\r\nin main.ts"); // "fix the bug\nin main.ts"
 * pasteSafe("evil\x1b[201~rm -rf ~");    // throws: task text contains control character U+001B at offset 4 ...
 */
export function pasteSafe(text: string): string {
  const t = text.replace(/\r\n?/g, "\n");
  const error = controlCharacterError(t);
  if (error) throw new Error(error);
  return t;
}
