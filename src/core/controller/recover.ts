import {
  closeSync,
  existsSync,
  type FSWatcher,
  openSync,
  readFileSync,
  readSync,
  statSync,
  watch,
} from "node:fs";
import type { MarkerSpec } from "../plugin/contract.ts";
import { EitherMarkerScanner } from "./either-marker-scanner.ts";

/** A running recovery: `scan()` re-reads the log now (e.g. when the pane printed something). */
export interface RecoveryHandle {
  scan(): void;
  close(): void;
}

/** A task's end as found in a worker's pipe-pane log. */
export interface RecoveredResult {
  exitCode: number;
  raw: string;
}

/**
 * The task's end as the worker's log holds it now, or null when it is not (or not yet) there.
 * `forms`: the markers the task may have been framed with (see {@link EitherMarkerScanner}).
 */
export function endInLog(logFile: string, taskId: string, forms: MarkerSpec[]): RecoveredResult | null {
  if (!existsSync(logFile)) return null;
  const r = new EitherMarkerScanner(taskId, forms).push(readFileSync(logFile, "utf8"));
  return r.kind === "done" ? { exitCode: r.exitCode, raw: r.raw } : null;
}

/**
 * Follows a worker's raw pane log (what pipe-pane wrote, also while the controller was
 * away) until the task's end marker is in it, then calls `onDone` once. The log is the one
 * source of the output, so nothing is counted twice.
 */
export function recoverFromLog(
  logFile: string,
  taskId: string,
  forms: MarkerSpec[],
  onDone: (r: RecoveredResult) => void,
): RecoveryHandle {
  const scanner = new EitherMarkerScanner(taskId, forms);
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  let offset = 0;
  let finished = false;
  let watcher: FSWatcher | null = null;
  const scan = () => {
    if (finished || !existsSync(logFile)) return;
    const size = statSync(logFile).size;
    if (size <= offset) return;
    const fd = openSync(logFile, "r");
    const buf = new Uint8Array(size - offset);
    const n = readSync(fd, buf, 0, buf.length, offset);
    closeSync(fd);
    offset += n;
    const r = scanner.push(decoder.decode(buf.subarray(0, n), { stream: true }));
    if (r.kind === "done") {
      finished = true;
      watcher?.close();
      onDone({ exitCode: r.exitCode, raw: r.raw });
    }
  };
  scan();
  if (!finished && existsSync(logFile)) {
    watcher = watch(logFile, scan);
    scan(); // what was appended before the watch began
  }
  return {
    scan,
    close() {
      finished = true;
      watcher?.close();
    },
  };
}
