/**
 * A streaming parser for the stdout of `tmux -C` (control mode). Bytes go in as they arrive, in
 * chunks of any size; whole protocol messages come out. Lines are split on LF at the byte level
 * and `%output` data is never decoded to a string: a UTF-8 character may be split across two
 * `%output` lines, so text decoding belongs to the per-pane consumer.
 */

/**
 * A `%notification` line that is not part of a command's response. tmux 3.3a reports a closed
 * window of the attached session as `unlinked-window-close` (the window is unlinked first), so
 * treat both close events alike.
 *
 * @example
 * // "%window-renamed @3 build #1" =>
 * const e: TmuxNotification = { type: "window-renamed", windowId: "@3", name: "build #1" };
 */
export type TmuxNotification =
  | { type: "window-add"; windowId: string }
  | { type: "window-close"; windowId: string }
  | { type: "unlinked-window-close"; windowId: string }
  | { type: "window-renamed"; windowId: string; name: string }
  | { type: "sessions-changed" }
  | { type: "session-changed"; sessionId: string; name: string }
  | { type: "pane-mode-changed"; paneId: string }
  | { type: "pause"; paneId: string }
  | { type: "continue"; paneId: string }
  | { type: "exit"; reason: string | null }
  /** A format subscribed with `refresh-client -B` changed for a pane (or window, or session). */
  | { type: "subscription-changed"; name: string; paneId: string | null; value: string }
  /** Any other line outside a response, e.g. `%layout-change` (name `layout-change`); a line
   * that does not start with `%` at all (not sent by tmux) has name `""` and the line as args. */
  | { type: "other"; name: string; args: string };

/**
 * One message of the control-mode protocol.
 *
 * @example
 * // the line `%output %1 hi\015\012` =>
 * const m: ControlMessage = { kind: "output", paneId: "%1", data: new TextEncoder().encode("hi\r\n") };
 */
export type ControlMessage =
  /** `%begin` ... `%end` (ok) or `%error` (not ok). `flags` is 1 for a command this client sent,
   * 0 otherwise (e.g. the initial attach). Lines are UTF-8 decoded, without their line ends. */
  | { kind: "response"; number: number; flags: number; ok: boolean; lines: string[] }
  /** `%output` or `%extended-output`: `data` is the raw pane bytes (octal escapes undone). It
   * may be a view into a chunk passed to `push`, so do not reuse that chunk's memory. */
  | { kind: "output"; paneId: string; data: Uint8Array }
  | { kind: "notification"; event: TmuxNotification };

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const PERCENT = 0x25;
const BACKSLASH = 0x5c;
// ignoreBOM: keep a leading U+FEFF of a line as text (the default would silently drop it).
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const OUTPUT = ascii("%output ");
const EXTENDED = ascii("%extended-output ");
const EXTENDED_SEP = ascii(" : ");

/** An open `%begin` block: the exact `%end`/`%error` lines that close it, and the lines so far. */
interface Block {
  end: string;
  error: string;
  number: number;
  flags: number;
  lines: string[];
}

/** Reused output buffer for decoding; results are copied out of it with `slice`. */
let scratch = new Uint8Array(64 * 1024);

/**
 * Undoes tmux's `%output` escaping: `\ooo` (three octal digits) becomes that byte. A backslash
 * not followed by three octal digits is kept as is. Returns the input itself when it holds no
 * backslash, otherwise a new array.
 *
 * @example
 * decodeOctalEscapes(new TextEncoder().encode("a\\015\\012b")); // the bytes of "a\r\nb"
 */
export function decodeOctalEscapes(escaped: Uint8Array): Uint8Array {
  let bs = escaped.indexOf(BACKSLASH);
  if (bs === -1) return escaped;
  const n = escaped.length;
  if (scratch.length < n) scratch = new Uint8Array(2 * n);
  const out = scratch;
  let o = 0;
  let from = 0;
  for (;;) {
    const end = bs === -1 ? n : bs;
    // Short runs (the common case between escapes) copy fastest byte by byte; long ones in bulk.
    if (end - from > 64) {
      out.set(escaped.subarray(from, end), o);
      o += end - from;
    } else {
      for (let i = from; i < end; i++) out[o++] = escaped[i]!;
    }
    if (bs === -1) break;
    const a = (escaped[bs + 1] ?? 0) - 0x30;
    const b = (escaped[bs + 2] ?? 0) - 0x30;
    const c = (escaped[bs + 3] ?? 0) - 0x30;
    if (a >= 0 && a <= 3 && b >= 0 && b <= 7 && c >= 0 && c <= 7) {
      out[o++] = (a << 6) | (b << 3) | c;
      from = bs + 4;
    } else {
      out[o++] = BACKSLASH;
      from = bs + 1;
    }
    bs = escaped.indexOf(BACKSLASH, from);
  }
  return out.slice(0, o);
}

function hasPrefix(buf: Uint8Array, from: number, to: number, prefix: Uint8Array): boolean {
  if (to - from < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[from + i] !== prefix[i]) return false;
  return true;
}

const paneIds: string[] = [];

/** Reads a pane id such as `%12` from `buf[from, to)`, without TextDecoder for the usual form. */
function paneId(buf: Uint8Array, from: number, to: number): string {
  let n = 0;
  for (let i = from + 1; i < to; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9 || n > 1e9) return utf8.decode(buf.subarray(from, to));
    n = n * 10 + d;
  }
  if (buf[from] !== PERCENT || to - from < 2) return utf8.decode(buf.subarray(from, to));
  let id = paneIds[n];
  if (id === undefined) {
    id = `%${n}`;
    if (n < 100_000) paneIds[n] = id;
  }
  return id;
}

function splitFirst(s: string): [string, string] {
  const sp = s.indexOf(" ");
  return sp === -1 ? [s, ""] : [s.slice(0, sp), s.slice(sp + 1)];
}

/**
 * Turns one notification line (with its leading `%`) into an event; the parser uses it for every
 * line outside a response. Exported for a tmux quirk: `refresh-client -A '%1:continue'` (and
 * `:pause`) writes its `%continue %1` line inside that command's own `%begin` block, where it
 * arrives as a response line; the caller that sent the command can pass such lines here.
 *
 * @example
 * parseNotification("%window-renamed @3 build #1"); // {type: "window-renamed", windowId: "@3", name: "build #1"}
 * parseNotification("%layout-change @0 b25d,80x24,0,0,0"); // {type: "other", name: "layout-change", args: "@0 b25d,80x24,0,0,0"}
 * parseNotification("%subscription-changed dead $0 @1 1 %1 : 1"); // {type: "subscription-changed", name: "dead", paneId: "%1", value: "1"}
 */
export function parseNotification(line: string): TmuxNotification {
  if (!line.startsWith("%")) return { type: "other", name: "", args: line };
  const [name, args] = splitFirst(line.slice(1));
  const [id, rest] = splitFirst(args);
  switch (name) {
    case "window-add":
    case "window-close":
    case "unlinked-window-close":
      if (id) return { type: name, windowId: id };
      break;
    case "pane-mode-changed":
    case "pause":
    case "continue":
      if (id) return { type: name, paneId: id };
      break;
    case "window-renamed":
      if (id) return { type: name, windowId: id, name: rest };
      break;
    case "session-changed":
      if (id) return { type: name, sessionId: id, name: rest };
      break;
    case "sessions-changed":
      return { type: name };
    case "exit":
      return { type: name, reason: args === "" ? null : args };
    case "subscription-changed": {
      // %subscription-changed NAME $SESSION @WINDOW INDEX %PANE ... : VALUE
      const colon = rest.indexOf(" : ");
      if (!id || colon === -1) break;
      const pane =
        rest
          .slice(0, colon)
          .split(" ")
          .find((w) => w.startsWith("%")) ?? null;
      return { type: name, name: id, paneId: pane, value: rest.slice(colon + 3) };
    }
  }
  return { type: "other", name, args };
}

/**
 * Parses the byte stream of one `tmux -C` client. Keep one parser per connection.
 *
 * Framing follows tmux: every line between `%begin T N F` and the `%end T N F` / `%error T N F`
 * with the same three numbers is a response line, even when it starts with `%` (`list-panes
 * -F '#{pane_id}'` prints `%1`). Answers come in the order commands were sent; match them to
 * your commands by order among responses with `flags === 1`.
 *
 * @example
 * const parser = new ControlParser();
 * for await (const chunk of proc.stdout) {
 *   for (const msg of parser.push(chunk)) {
 *     if (msg.kind === "output") panes.get(msg.paneId)?.write(msg.data);
 *   }
 * }
 */
export class ControlParser {
  /** Pieces of a line whose LF has not arrived yet (copies, so callers may reuse chunks). */
  private partial: Uint8Array[] = [];
  private block: Block | null = null;

  /** Feeds a chunk of stdout; returns the messages completed by it, in order. */
  push(chunk: Uint8Array): ControlMessage[] {
    const out: ControlMessage[] = [];
    let lf = chunk.indexOf(LF);
    if (lf === -1) {
      if (chunk.length > 0) this.partial.push(chunk.slice());
      return out;
    }
    let start = 0;
    if (this.partial.length > 0) {
      this.partial.push(chunk.subarray(0, lf));
      const line = concat(this.partial);
      this.partial = [];
      this.line(line, 0, line.length, out);
      start = lf + 1;
      lf = chunk.indexOf(LF, start);
    }
    while (lf !== -1) {
      this.line(chunk, start, lf, out);
      start = lf + 1;
      lf = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) this.partial.push(chunk.slice(start));
    return out;
  }

  /** Handles the line `buf[from, to)` (without its LF). */
  private line(buf: Uint8Array, from: number, to: number, out: ControlMessage[]): void {
    // tmux escapes every byte < 0x20 inside %output, so a raw CR is never data: always drop it.
    if (to > from && buf[to - 1] === CR) to--;
    const block = this.block;
    if (block !== null) {
      const text = utf8.decode(buf.subarray(from, to));
      if (buf[from] === PERCENT && (text === block.end || text === block.error)) {
        this.block = null;
        const { number, flags, lines } = block;
        out.push({ kind: "response", number, flags, ok: text === block.end, lines });
      } else {
        block.lines.push(text);
      }
      return;
    }
    if (buf[from] === PERCENT) {
      if (hasPrefix(buf, from, to, OUTPUT)) {
        const idStart = from + OUTPUT.length;
        let sp = buf.indexOf(SP, idStart);
        if (sp === -1 || sp > to) sp = to;
        const data = sp < to ? decodeOctalEscapes(buf.subarray(sp + 1, to)) : new Uint8Array(0);
        out.push({ kind: "output", paneId: paneId(buf, idStart, sp), data });
        return;
      }
      if (hasPrefix(buf, from, to, EXTENDED)) {
        const idStart = from + EXTENDED.length;
        const sp = buf.indexOf(SP, idStart);
        const sep = sp === -1 || sp >= to ? -1 : indexOfSeq(buf, EXTENDED_SEP, sp, to);
        if (sep !== -1) {
          const data = decodeOctalEscapes(buf.subarray(sep + EXTENDED_SEP.length, to));
          out.push({ kind: "output", paneId: paneId(buf, idStart, sp), data });
          return;
        }
      }
    }
    const text = utf8.decode(buf.subarray(from, to));
    if (text.startsWith("%begin ")) {
      const tail = text.slice("%begin ".length);
      const [, num, flags] = tail.split(" ");
      this.block = {
        end: `%end ${tail}`,
        error: `%error ${tail}`,
        number: Number(num),
        flags: Number(flags),
        lines: [],
      };
      return;
    }
    out.push({ kind: "notification", event: parseNotification(text) });
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Index of `needle` in `hay[from, to)`, or -1. */
function indexOfSeq(hay: Uint8Array, needle: Uint8Array, from: number, to: number): number {
  const first = needle[0]!;
  for (let i = hay.indexOf(first, from); i !== -1 && i + needle.length <= to; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}
