import type { MarkerSpec } from "../plugin/contract.ts";
import { MarkerScanner, type OutputSink, type ScanResult } from "./marker-scanner.ts";

/**
 * Finds a task's markers in a pane log when the form it was framed with is not known: the
 * per-task markers this orch frames, or the configured ones an older orch framed the task
 * with before an upgrade. The form whose start marker comes first is the task's (a task
 * cannot print a start marker before its real one: it has not run yet); from there on only
 * that form's end marker ends it, and the other form is output.
 *
 * @example
 * const s = new EitherMarkerScanner("t1", [withNonce, configured]);
 * s.push(log); // as MarkerScanner.push, with the form whose start came first
 */
export class EitherMarkerScanner {
  private chosen: MarkerScanner | null = null;
  private before = "";
  private readonly starts: string[];

  constructor(
    readonly taskId: string,
    private readonly forms: MarkerSpec[],
    /** Where the chosen form's scanner hands the output it is sure of (see MarkerScanner). */
    private readonly sink: OutputSink | null = null,
  ) {
    this.starts = forms.map((m) => `${m.startPrefix}${taskId}${m.suffix}`);
  }

  /** The task's start marker has been seen (in whichever form). */
  get hasStarted(): boolean {
    return this.chosen?.hasStarted === true;
  }

  push(text: string): ScanResult {
    if (this.chosen) return this.chosen.push(text);
    this.before += text;
    let first = -1;
    let at = Number.POSITIVE_INFINITY;
    let waitFrom = Number.POSITIVE_INFINITY;
    this.starts.forEach((start, i) => {
      const j = this.lineStart(start);
      if (j === "wait") waitFrom = Math.min(waitFrom, this.before.length - start.length);
      else if (j >= 0 && j < at) [first, at] = [i, j];
    });
    // a start whose line may still go on could be the beginning of another form's
    if (first < 0 || waitFrom < at) {
      const keep = Math.max(...this.starts.map((s) => s.length));
      if (this.before.length > 65536 + keep) this.before = this.before.slice(-keep);
      return { kind: "pending", startedNow: false };
    }
    this.chosen = new MarkerScanner(this.taskId, this.forms[first]!, this.sink);
    const all = this.before;
    this.before = "";
    return this.chosen.push(all);
  }

  /** Where `start` first stands as a whole line's head (followed by CR or LF); "wait" when it ends the text. */
  private lineStart(start: string): number | "wait" {
    for (let j = this.before.indexOf(start); j >= 0; j = this.before.indexOf(start, j + 1)) {
      const next = this.before[j + start.length];
      if (next === undefined) return "wait";
      if (next === "\r" || next === "\n") return j;
    }
    return -1;
  }
}
