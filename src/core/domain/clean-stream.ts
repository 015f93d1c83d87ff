import { normalizeNewlines, stripAnsi } from "./text.ts";

/** Longest tail kept back while waiting for an escape sequence to complete. */
const MAX_HELD = 256;

/**
 * Cleans terminal output that arrives in chunks (ANSI removed, CRLF -> LF) exactly as
 * `cleanOutput` cleans the whole text, without tearing an escape sequence or a CR LF pair that
 * a chunk boundary cut in two. Two stages, each holding back what may still change: escapes are
 * removed with an unfinished sequence held (up to 256 characters), then line ends are
 * normalized with a trailing run of CRs held (once the escapes between them are gone, a CR may
 * yet turn out to end a line).
 *
 * @example
 * const clean = new StreamCleaner();
 * clean.push("red \x1b[3");   // "red "
 * clean.push("1mtext\r");     // "text"
 * clean.push("\n");           // "\n"
 */
export class StreamCleaner {
  private heldEscape = "";
  private heldCr = "";

  push(chunk: string): string {
    const text = this.heldEscape + chunk;
    const cut = unfinishedEscape(text);
    this.heldEscape = text.slice(cut);
    return this.lineEnds(stripAnsi(text.slice(0, cut)));
  }

  /** What is still held, cleaned (the stream ended). */
  flush(): string {
    const rest = this.heldEscape;
    this.heldEscape = "";
    const out = this.lineEnds(stripAnsi(rest)) + this.heldCr;
    this.heldCr = "";
    return out;
  }

  /** Line ends of text already without escapes, a trailing run of CRs held back. */
  private lineEnds(stripped: string): string {
    const text = this.heldCr + stripped;
    let cut = text.length;
    while (cut > 0 && text.charCodeAt(cut - 1) === 13) cut--;
    this.heldCr = text.slice(cut);
    return normalizeNewlines(text.slice(0, cut));
  }
}

/** Where an escape sequence that may still grow begins in `text` (its length when there is none). */
function unfinishedEscape(text: string): number {
  const esc = text.lastIndexOf("\x1b");
  if (esc >= 0 && text.length - esc <= MAX_HELD && !isCompleteEscape(text.slice(esc))) return esc;
  return text.length;
}

/**
 * Whether the escape sequence at the start of `s` (which holds no later ESC) is over: the
 * characters to come cannot change what `stripAnsi` removes of it.
 */
function isCompleteEscape(s: string): boolean {
  if (s.length < 2) return false;
  const kind = s.charCodeAt(1);
  // CSI: over at its final byte, or at any byte that cannot be a parameter or intermediate
  if (kind === 0x5b) return followedByMore(s, /^\x1b\[[0-?]*[ -/]*/);
  // OSC: over at BEL (or at ESC \, which would be a later ESC)
  if (kind === 0x5d) return s.includes("\x07", 2);
  // DCS, SOS, PM, APC: only ESC \ ends them (a later ESC)
  if (kind === 0x50 || kind === 0x58 || kind === 0x5e || kind === 0x5f) return false;
  // nF (ESC ( B, ESC % G, ESC ( ( B): intermediates, then the final or any other byte
  if (kind >= 0x20 && kind <= 0x2f) return followedByMore(s, /^\x1b[ -/]+/);
  return true;
}

/** Whether `s` goes on after the longest match of `head` (anchored at its start). */
function followedByMore(s: string, head: RegExp): boolean {
  return (head.exec(s)?.[0].length ?? 0) < s.length;
}
