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
 * proportional to the chunk (searches resume where the last one stopped).
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
  private buf = "";
  private started = false;
  private searchFrom = 0;
  private readonly startMarker: string;
  private readonly endHead: string;

  constructor(
    readonly taskId: string,
    private readonly markers: MarkerSpec,
    readonly sink: S | null = null,
  ) {
    this.startMarker = `${markers.startPrefix}${taskId}${markers.suffix}`;
    this.endHead = `${markers.endPrefix}${taskId}-`;
  }

  get hasStarted(): boolean {
    return this.started;
  }

  /** Output received so far after the start marker (raw), but for what went to the sink. */
  get partial(): string {
    return this.started ? this.buf : "";
  }

  push(text: string): ScanResult {
    this.buf += text;
    let startedNow = false;
    if (!this.started) {
      const i = this.buf.indexOf(this.startMarker, this.searchFrom);
      if (i < 0) {
        this.searchFrom = Math.max(0, this.buf.length - this.startMarker.length + 1);
        if (this.searchFrom > 65536) {
          this.buf = this.buf.slice(this.searchFrom);
          this.searchFrom = 0;
        }
        return { kind: "pending", startedNow };
      }
      let from = i + this.startMarker.length;
      // the marker's own line ending; wait for it if it is split off
      if (this.buf.length === from || (this.buf[from] === "\r" && this.buf.length === from + 1)) {
        return { kind: "pending", startedNow };
      }
      if (this.buf.startsWith("\r\n", from)) from += 2;
      else if (this.buf[from] === "\n") from += 1;
      this.buf = this.buf.slice(from);
      this.started = true;
      this.searchFrom = 0;
      startedNow = true;
    }
    for (;;) {
      const j = this.buf.indexOf(this.endHead, this.searchFrom);
      if (j < 0) {
        this.searchFrom = Math.max(0, this.buf.length - this.endHead.length + 1);
        this.handOver();
        return { kind: "pending", startedNow };
      }
      const after = j + this.endHead.length;
      const m = /^(\d{1,4})/.exec(this.buf.slice(after, after + MAX_STATUS_DIGITS + 1));
      const sfx = m ? after + m[1]!.length : after;
      if (!m || this.buf.length < sfx + this.markers.suffix.length) {
        if (this.buf.length - after <= MAX_STATUS_DIGITS + this.markers.suffix.length) {
          this.searchFrom = j; // incomplete: wait for more
          this.handOver();
          return { kind: "pending", startedNow };
        }
        this.searchFrom = j + 1;
        continue;
      }
      if (!this.buf.startsWith(this.markers.suffix, sfx)) {
        this.searchFrom = j + 1;
        continue;
      }
      const end = sfx + this.markers.suffix.length;
      return {
        kind: "done",
        startedNow,
        exitCode: Number(m[1]),
        raw: this.buf.slice(0, j),
        rest: this.buf.slice(end),
      };
    }
  }

  /** Hands what precedes the search point (output for sure) to the sink, once there is enough. */
  private handOver(): void {
    if (!this.sink || this.searchFrom < HAND_OVER) return;
    this.sink.push(this.buf.slice(0, this.searchFrom));
    this.buf = this.buf.slice(this.searchFrom);
    this.searchFrom = 0;
  }
}
