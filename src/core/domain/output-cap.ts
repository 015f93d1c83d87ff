/**
 * The cap on a task's stored output: past `maxBytes` (UTF-8) only its head and its tail are
 * kept, with a line between them that says how much was cut. Pure: the full text, when it is
 * kept at all, goes elsewhere (a file, see src/core/controller/task-output.ts).
 */
import { utf8ByteLength } from "./utf8.ts";

/** Room kept in the cap for the line that marks the cut. */
const NOTE_ROOM = 200;

/** How far (a share of the budget) a cut may move back to fall on a line end. */
const LINE_SLACK = 4;

/** What the stored output says where it was cut. */
export function cutNote(cutBytes: number, totalBytes: number, taskId: string): string {
  return `\n[orch: output cut here: ${cutBytes} of ${totalBytes} bytes not stored; \`orch task ${taskId} --full\` prints all of it]\n`;
}

/** The longest start of `s` that is at most `maxBytes` in UTF-8 (never half a surrogate pair). */
export function utf8Head(s: string, maxBytes: number): string {
  if (s.length <= maxBytes / 3 || utf8ByteLength(s) <= maxBytes) return s;
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const unit = s.charCodeAt(i);
    const pair = unit >= 0xd800 && unit <= 0xdbff && i + 1 < s.length;
    const n = unit < 0x80 ? 1 : unit < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + n > maxBytes) break;
    bytes += n;
    i += pair ? 2 : 1;
  }
  return s.slice(0, i);
}

/** The longest end of `s` that is at most `maxBytes` in UTF-8 (never half a surrogate pair). */
export function utf8Tail(s: string, maxBytes: number): string {
  if (s.length <= maxBytes / 3 || utf8ByteLength(s) <= maxBytes) return s;
  let bytes = 0;
  let i = s.length;
  while (i > 0) {
    const unit = s.charCodeAt(i - 1);
    const pair = unit >= 0xdc00 && unit <= 0xdfff && i > 1;
    const n = unit < 0x80 ? 1 : unit < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + n > maxBytes) break;
    bytes += n;
    i -= pair ? 2 : 1;
  }
  return s.slice(i);
}

/**
 * Follows a stream of text and keeps what a capped output needs: the first half of the budget
 * and the last half, never much more than `maxBytes` in memory however long the stream.
 *
 * @example
 * const ht = new HeadTail(1024);
 * for (const chunk of chunks) ht.push(chunk);
 * ht.text((cut, total) => cutNote(cut, total, id)); // the whole text, or head + note + tail
 */
export class HeadTail {
  private head = "";
  private headBytes = 0;
  private tail: string[] = [];
  private tailBytes: number[] = [];
  private tailTotal = 0;
  private total = 0;
  /** A high surrogate that ended the last piece: its pair comes with the next one. */
  private carry = "";
  private readonly headMax: number;
  private readonly tailMax: number;
  /** What the tail holds at most: enough for the whole text while it is within the cap. */
  private readonly tailKeep: number;

  constructor(readonly maxBytes: number) {
    const budget = Math.max(2, maxBytes - NOTE_ROOM);
    this.headMax = Math.floor(budget / 2);
    this.tailMax = budget - this.headMax;
    this.tailKeep = Math.max(this.tailMax, maxBytes - this.headMax);
  }

  /** Bytes pushed so far. */
  get totalBytes(): number {
    return this.total;
  }

  /** Whether the text so far is over the cap (so it will be cut). */
  get over(): boolean {
    return this.total > this.maxBytes;
  }

  push(piece: string): void {
    let chunk = this.carry + piece;
    this.carry = "";
    const last = chunk.charCodeAt(chunk.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.carry = chunk.slice(-1);
      chunk = chunk.slice(0, -1);
    }
    this.append(chunk);
  }

  private append(chunk: string): void {
    if (!chunk) return;
    let rest = chunk;
    let restBytes = utf8ByteLength(chunk);
    this.total += restBytes;
    if (this.headBytes < this.headMax) {
      const take = utf8Head(rest, this.headMax - this.headBytes);
      const takeBytes = utf8ByteLength(take);
      this.head += take;
      this.headBytes += takeBytes;
      rest = rest.slice(take.length);
      restBytes -= takeBytes;
      // a character too wide for what is left of the head: the head is full
      if (rest) this.headBytes = this.headMax;
      if (!rest) return;
    }
    if (restBytes > this.tailKeep) {
      rest = utf8Tail(rest, this.tailKeep);
      restBytes = utf8ByteLength(rest);
    }
    this.tail.push(rest);
    this.tailBytes.push(restBytes);
    this.tailTotal += restBytes;
    while (this.tail.length > 1 && this.tailTotal - this.tailBytes[0]! >= this.tailKeep) {
      this.tailTotal -= this.tailBytes.shift()!;
      this.tail.shift();
    }
  }

  /** The whole text when it fits the cap, else its head, `note(cut, total)` and its tail. */
  text(note: (cutBytes: number, totalBytes: number) => string): { text: string; cut: boolean } {
    this.append(this.carry);
    this.carry = "";
    const tail = this.tail.join("");
    if (!this.over) return { text: this.head + tail, cut: false };
    const head = atLineEnd(this.head, this.headMax);
    const end = fromLineStart(utf8Tail(tail, this.tailMax), this.tailMax);
    const kept = utf8ByteLength(head) + utf8ByteLength(end);
    return { text: head + note(this.total - kept, this.total) + end, cut: true };
  }
}

/** `head` cut after its last line end, if that loses at most a quarter of the budget. */
function atLineEnd(head: string, budget: number): string {
  const nl = head.lastIndexOf("\n");
  return nl >= 0 && head.length - nl - 1 <= budget / LINE_SLACK ? head.slice(0, nl + 1) : head;
}

/** `tail` from its first line start, if that loses at most a quarter of the budget. */
function fromLineStart(tail: string, budget: number): string {
  const nl = tail.indexOf("\n");
  return nl >= 0 && nl + 1 <= budget / LINE_SLACK ? tail.slice(nl + 1) : tail;
}

/**
 * `text` capped at `maxBytes`: itself when it fits, else its head, the note and its tail.
 *
 * @example
 * capText("x".repeat(5000), 1024, (c, t) => `[${c} of ${t} cut]`).cut; // true
 */
export function capText(
  text: string,
  maxBytes: number,
  note: (cutBytes: number, totalBytes: number) => string,
): { text: string; cut: boolean } {
  const ht = new HeadTail(maxBytes);
  ht.push(text);
  return ht.text(note);
}
