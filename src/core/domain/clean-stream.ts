import { cleanOutput } from "./text.ts";

/** Longest tail kept back while waiting for an escape sequence to complete. */
const MAX_HELD = 256;

/**
 * Cleans terminal output that arrives in chunks (ANSI removed, CRLF -> LF) without tearing
 * an escape sequence or a CR LF pair that a chunk boundary cut in two: the unfinished tail
 * is held until the next chunk.
 *
 * @example
 * const clean = new StreamCleaner();
 * clean.push("red \x1b[3");   // "red "
 * clean.push("1mtext\r");     // "text"
 * clean.push("\n");           // "\n"
 */
export class StreamCleaner {
  private held = "";

  push(chunk: string): string {
    const text = this.held + chunk;
    const cut = unfinishedTail(text);
    this.held = text.slice(cut);
    return cleanOutput(text.slice(0, cut));
  }

  /** What is still held, cleaned (the stream ended). */
  flush(): string {
    const rest = this.held;
    this.held = "";
    return cleanOutput(rest);
  }
}

/** Where the part of `text` that may still grow into an escape sequence or CR LF begins. */
function unfinishedTail(text: string): number {
  const esc = text.lastIndexOf("\x1b");
  if (esc >= 0 && text.length - esc <= MAX_HELD && !isCompleteEscape(text.slice(esc))) return esc;
  return text.endsWith("\r") ? text.length - 1 : text.length;
}

function isCompleteEscape(s: string): boolean {
  if (s.length < 2) return false;
  const kind = s[1]!;
  if (kind === "[") return /^\x1b\[[0-?]*[ -/]*[@-~]/.test(s);
  if (kind === "]" || kind === "P" || kind === "_" || kind === "^" || kind === "X")
    return /\x07|\x1b\\/.test(s.slice(2));
  if (kind === "(" || kind === ")" || kind === "#") return s.length >= 3;
  return true;
}
