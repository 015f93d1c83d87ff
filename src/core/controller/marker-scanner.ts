import type { MarkerSpec } from "../plugin/contract.ts";

/** Where a scanner hands the task's output it is sure of, so it need not hold all of it. */
export interface OutputSink {
  push(raw: string): void;
}

/** With a sink, output is handed over once this much of it is held. */
const HAND_OVER = 65_536;

/**
 * What a scanner saw in the newest chunk. `raw` is the output not yet handed to the scanner's
 * sink (with no sink: all of it).
 */
export type ScanResult =
  | { kind: "pending"; startedNow: boolean }
  | { kind: "done"; startedNow: boolean; exitCode: number; raw: string; rest: string };

const MAX_STATUS_DIGITS = 4;

/**
 * Follows one task's pane output and finds its markers: everything between
 * `START+id+SUFFIX\r\n` and `END+id-EXIT+SUFFIX` is the task's raw output. Work per chunk is
 * proportional to the chunk, however much came before: the output is kept as a list of
 * chunks (never one string grown by `+=`, which the engine would copy whole at every search)
 * and the end marker is searched for in the newest chunk and the few characters before it.
 *
 * @example
 * const s = new MarkerScanner("t1", { startPrefix: "<S-", endPrefix: "<E-", suffix: ">" });
 * s.push("echo...\r\n<S-t1>\r\nhi");      // { kind: "pending", startedNow: true }
 * s.push("<E-t1-0>\r\n$ ");               // { kind: "done", exitCode: 0, raw: "hi", rest: "\r\n$ " }
 *
 * Given a sink, the output it is sure of (that cannot be the start of the end marker) goes
 * there as it comes, in parts of 64 KB or more: the scanner then holds little however long
 * the output (see task-output.ts).
 */
export class MarkerScanner<S extends OutputSink = OutputSink> {
  /** Before the start marker: the text still to search (bounded). */
  private buf = "";
  private started = false;
  private searchFrom = 0;
  /** After the start marker: the output so far not handed to the sink, in chunks, and its last `keep` characters. */
  private chunks: string[] = [];
  private length = 0;
  private tail = "";
  private readonly keep: number;
  private readonly startMarker: string;
  private readonly endHead: string;

  constructor(
    readonly taskId: string,
    readonly markers: MarkerSpec,
    readonly sink: S | null = null,
  ) {
    this.startMarker = `${markers.startPrefix}${taskId}${markers.suffix}`;
    this.endHead = `${markers.endPrefix}${taskId}-`;
    // enough to hold a whole end marker that is not complete yet
    this.keep = this.endHead.length + MAX_STATUS_DIGITS + markers.suffix.length + 1;
  }

  get hasStarted(): boolean {
    return this.started;
  }

  /** Output received so far after the start marker (raw), but for what went to the sink. */
  get partial(): string {
    return this.started ? this.output() : "";
  }

  push(text: string): ScanResult {
    if (this.started) return this.scanEnd(text, false);
    this.buf += text;
    const i = this.buf.indexOf(this.startMarker, this.searchFrom);
    if (i < 0) {
      this.searchFrom = Math.max(0, this.buf.length - this.startMarker.length + 1);
      if (this.searchFrom > 65536) {
        this.buf = this.buf.slice(this.searchFrom);
        this.searchFrom = 0;
      }
      return { kind: "pending", startedNow: false };
    }
    let from = i + this.startMarker.length;
    // the marker's own line ending; wait for it if it is split off
    if (this.buf.length === from || (this.buf[from] === "\r" && this.buf.length === from + 1)) {
      return { kind: "pending", startedNow: false };
    }
    if (this.buf.startsWith("\r\n", from)) from += 2;
    else if (this.buf[from] === "\n") from += 1;
    const rest = this.buf.slice(from);
    this.buf = "";
    this.started = true;
    return this.scanEnd(rest, true);
  }

  /** All output after the start marker held so far, as one string. */
  private output(): string {
    if (this.chunks.length > 1) this.chunks.splice(0, this.chunks.length, this.chunks.join(""));
    return this.chunks[0] ?? "";
  }

  /** Looks for the end marker in the last characters kept and `text`; keeps `text` as output. */
  private scanEnd(text: string, startedNow: boolean): ScanResult {
    const window = this.tail + text;
    const before = this.tail.length; // window[0, before) is already in the chunks
    for (let from = 0; ; ) {
      const j = window.indexOf(this.endHead, from);
      if (j < 0) break;
      const after = j + this.endHead.length;
      const m = /^(\d{1,4})/.exec(window.slice(after, after + MAX_STATUS_DIGITS + 1));
      const sfx = m ? after + m[1]!.length : after;
      if (!m || window.length < sfx + this.markers.suffix.length) {
        // incomplete: the kept tail holds it until the next chunk comes
        if (window.length - after <= MAX_STATUS_DIGITS + this.markers.suffix.length) break;
        from = j + 1;
        continue;
      }
      if (!window.startsWith(this.markers.suffix, sfx)) {
        from = j + 1;
        continue;
      }
      const end = sfx + this.markers.suffix.length;
      const raw =
        j >= before
          ? this.output() + window.slice(before, j)
          : this.output().slice(0, this.length - (before - j));
      return { kind: "done", startedNow, exitCode: Number(m[1]), raw, rest: window.slice(end) };
    }
    if (text.length > 0) {
      this.chunks.push(text);
      this.length += text.length;
    }
    this.tail = window.length > this.keep ? window.slice(-this.keep) : window;
    this.handOver();
    return { kind: "pending", startedNow };
  }

  /**
   * Hands the output held to the sink, once there is enough, but for its last `keep`
   * characters: an end marker that begins in them is cut from what is held.
   */
  private handOver(): void {
    if (!this.sink || this.length - this.keep < HAND_OVER) return;
    const all = this.output();
    const cut = all.length - this.keep;
    this.sink.push(all.slice(0, cut));
    this.chunks = [all.slice(cut)];
    this.length = this.keep;
  }
}
