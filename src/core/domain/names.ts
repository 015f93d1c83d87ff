import { fail, OK, type Result } from "./result.ts";
import { utf8ByteLength } from "./utf8.ts";

const WORKER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * Checks a user-chosen worker name: 1 to 63 letters, digits, `.`, `_` or `-`, starting with a
 * letter or digit (so it is safe in tmux targets, file names and argv).
 *
 * @example
 * ```ts
 * validateWorkerName("c1"); // { ok: true, value: undefined }
 * validateWorkerName("a b");
 * // { ok: false, code: "bad_input", error: `bad worker name "a b": use letters, digits, '.', '_' or '-' (at most 63), starting with a letter or digit` }
 * ```
 */
export function validateWorkerName(name: string): Result<void> {
  if (WORKER_NAME.test(name)) return OK;
  return fail(
    "bad_input",
    `bad worker name ${JSON.stringify(name)}: use letters, digits, '.', '_' or '-' (at most 63), starting with a letter or digit`,
  );
}

/** C0 controls but TAB, LF and CR; DEL; C1 controls (U+0080-U+009F, which some terminals obey too). */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;

/**
 * Why `text` cannot be typed into a pane because of a control character (NUL, ESC, DEL, C1,
 * any C0 but TAB, LF and CR), or null when it has none.
 *
 * @example
 * ```ts
 * controlCharacterError("ls\x1b[A");
 * // "task text contains control character U+001B at offset 2: terminal control sequences are not delivered"
 * ```
 */
export function controlCharacterError(text: string): string | null {
  const control = CONTROL.exec(text);
  if (!control) return null;
  const at = control.index;
  if (control[0] === "\0") return `task text contains a NUL byte at offset ${at}`;
  const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
  return `task text contains control character U+${code} at offset ${at}: terminal control sequences are not delivered`;
}

/** A high surrogate not followed by a low one, or a low one without a high one before it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why `text` has no UTF-8 form (a lone UTF-16 surrogate, which would be typed as U+FFFD), or
 * null when it is well-formed.
 *
 * @example
 * ```ts
 * loneSurrogateError("a\ud800b");
 * // "task text contains a lone surrogate U+D800 at offset 1: expected well-formed Unicode (it has no UTF-8 form)"
 * ```
 */
export function loneSurrogateError(text: string): string | null {
  if (text.isWellFormed()) return null;
  const m = LONE_SURROGATE.exec(text);
  if (!m) return null;
  const code = m[0].charCodeAt(0).toString(16).toUpperCase();
  return `task text contains a lone surrogate U+${code} at offset ${m.index}: expected well-formed Unicode (it has no UTF-8 form)`;
}

/**
 * Checks a task's text before it is typed into a pane. Refuses text that is empty or only
 * whitespace, contains a NUL or any other control character than TAB, LF and CR (ESC, DEL and
 * C1 controls included: they would steer the terminal instead of reaching the agent), contains
 * a lone surrogate (no UTF-8 form: it would arrive as U+FFFD), or is
 * longer than `maxBytes` UTF-8 bytes. Offsets are string indexes (UTF-16 code units).
 *
 * @example
 * ```ts
 * validateTaskText("make test", 1_048_576); // { ok: true, value: undefined }
 * validateTaskText("ls\x1b[A", 1_048_576);
 * // { ok: false, code: "bad_input", error: "task text contains control character U+001B at offset 2: terminal control sequences are not delivered" }
 * ```
 */
export function validateTaskText(text: string, maxBytes: number): Result<void> {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new RangeError(`maxBytes=${maxBytes}: expected a positive whole number of bytes`);
  }
  if (!/\S/.test(text))
    return fail("bad_input", "task text is empty or only whitespace: expected something to do");
  const control = controlCharacterError(text);
  if (control) return fail("bad_input", control);
  const surrogate = loneSurrogateError(text);
  if (surrogate) return fail("bad_input", surrogate);
  const bytes = utf8ByteLength(text);
  if (bytes > maxBytes) {
    return fail("bad_input", `task text is ${bytes} bytes: expected at most ${maxBytes} bytes (UTF-8)`);
  }
  return OK;
}

/**
 * Where the first control character of a one-line value is (C0 including TAB, LF and CR; DEL;
 * C1), as "control character U+001B at offset 4", or null when there is none. For values shown
 * on terminals: paths, plugin descriptions.
 *
 * @example
 * ```ts
 * lineControlCharacter("a\x1b]52;"); // "control character U+001B at offset 1"
 * ```
 */
export function lineControlCharacter(s: string): string | null {
  const m = /[\x00-\x1f\x7f-\x9f]/.exec(s);
  if (!m) return null;
  return `control character U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} at offset ${m.index}`;
}
