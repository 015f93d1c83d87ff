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
import type { ScanResult } from "./marker-scanner.ts";
import type { TaskOutput } from "./task-output.ts";

/** A running recovery: `scan()` re-reads the log now (e.g. when the pane printed something). */
export interface RecoveryHandle {
  scan(): void;
  close(): void;
}

/** A task's end as found in a worker's pipe-pane log; its output went to the given TaskOutput. */
export interface RecoveredResult {
  exitCode: number;
}

/** Part size of a log read: a long log is scanned without being held whole. */
const READ_PART = 1 << 20;

/** The path of the log a rotation kept (see log-rotation.ts): the worker's log before its current one. */
export function previousLog(logFile: string): string {
  return `${logFile}.1`;
}

/** What a worker's log says of a task: it ended (with its status), or not, and then whether it began. */
export type LogScan = { ended: true; exitCode: number } | { ended: false; started: boolean };

/**
 * The task's end as the worker's log holds it now (the previous log, then the current one:
 * a rotation may have cut the task in two), or, when it is not (or not yet) there, whether
 * its start is. Its output goes to `out` (discarded when the end is not found). `forms`: the markers the task
 * may have been framed with (see {@link EitherMarkerScanner}).
 */
export function endInLog(logFile: string, taskId: string, forms: MarkerSpec[], out: TaskOutput): LogScan {
  const scanner = new EitherMarkerScanner(taskId, forms, out);
  for (const file of [previousLog(logFile), logFile]) {
    if (!existsSync(file)) continue;
    const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    const fd = openSync(file, "r");
    try {
      const buf = new Uint8Array(READ_PART);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, null);
        const r = scanner.push(decoder.decode(buf.subarray(0, n), { stream: n > 0 }));
        if (r.kind === "done") {
          out.push(r.raw);
          return { ended: true, exitCode: r.exitCode };
        }
        if (n === 0) break;
      }
    } finally {
      closeSync(fd);
    }
  }
  out.discard();
  return { ended: false, started: scanner.hasStarted };
}

/**
 * Follows a worker's raw pane log (what pipe-pane wrote, also while the controller was
 * away) until the task's end marker is in it, then calls `onDone` once, the task's output in
 * `out`. The log is the one source of the output, so nothing is counted twice; the previous
 * log (a rotation's) is read first, whole, as the task may have begun in it.
 */
export function recoverFromLog(
  logFile: string,
  taskId: string,
  forms: MarkerSpec[],
  out: TaskOutput,
  onDone: (r: RecoveredResult) => void,
): RecoveryHandle {
  const scanner = new EitherMarkerScanner(taskId, forms, out);
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  let offset = 0;
  let finished = false;
  let watcher: FSWatcher | null = null;
  const found = (r: ScanResult): boolean => {
    if (r.kind !== "done") return false;
    finished = true;
    watcher?.close();
    out.push(r.raw);
    onDone({ exitCode: r.exitCode });
    return true;
  };
  // the end may be in the previous log already (rotated just before the controller went away)
  if (existsSync(previousLog(logFile))) found(scanner.push(readFileSync(previousLog(logFile), "utf8")));
  const scan = () => {
    if (finished || !existsSync(logFile)) return;
    const size = statSync(logFile).size;
    if (size <= offset) return;
    const fd = openSync(logFile, "r");
    try {
      const buf = new Uint8Array(Math.min(READ_PART, size - offset));
      while (offset < size && !finished) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, size - offset), offset);
        if (n <= 0) break;
        offset += n;
        found(scanner.push(decoder.decode(buf.subarray(0, n), { stream: true })));
      }
    } finally {
      closeSync(fd);
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
      if (!finished) out.discard();
      finished = true;
      watcher?.close();
    },
  };
}
