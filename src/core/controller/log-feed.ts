import { closeSync, existsSync, type FSWatcher, openSync, readSync, statSync, watch } from "node:fs";

/** Bytes read from a log per turn of the event loop: the rest waits for the next turn. */
const READ_PER_TURN = 256 * 1024;

/** A log being read; see {@link feedFromLog}. */
export interface LogFeed {
  /** The byte offset of the next read. */
  readonly offset: number;
  /** True when everything the log held at the last read has been handed on. */
  readonly caughtUp: boolean;
  /** Reads what was appended since (e.g. the pane printed something). */
  wake(): void;
  close(): void;
}

/**
 * Hands what `file` holds from byte `from` on to `onBytes`, and what is appended later,
 * woken by the file system's change events: at most {@link READ_PER_TURN} bytes per turn of
 * the event loop, so a log growing flat out never holds the controller up. `onCaughtUp` is
 * called each time a read reaches the end of the file.
 */
export function feedFromLog(
  file: string,
  from: number,
  onBytes: (data: Uint8Array) => void,
  onCaughtUp: () => void,
): LogFeed {
  let offset = from;
  let closed = false;
  let scheduled = false;
  let caughtUp = false;
  let watcher: FSWatcher | null = null;
  const buf = new Uint8Array(READ_PER_TURN);
  const step = () => {
    scheduled = false;
    if (closed || !existsSync(file)) return;
    const size = statSync(file).size;
    if (size < offset) offset = size; // truncated: go on from its end
    if (size > offset) {
      const fd = openSync(file, "r");
      let n = 0;
      try {
        n = readSync(fd, buf, 0, Math.min(buf.length, size - offset), offset);
      } finally {
        closeSync(fd);
      }
      offset += n;
      caughtUp = offset >= size;
      if (n > 0) onBytes(buf.slice(0, n));
      if (closed) return;
      if (!caughtUp) {
        schedule();
        return;
      }
    }
    caughtUp = true;
    onCaughtUp();
  };
  const schedule = () => {
    if (scheduled || closed) return;
    scheduled = true;
    setImmediate(step);
  };
  if (existsSync(file)) watcher = watch(file, schedule);
  schedule();
  return {
    get offset() {
      return offset;
    },
    get caughtUp() {
      return caughtUp;
    },
    wake: schedule,
    close() {
      closed = true;
      watcher?.close();
    },
  };
}

/** The size of `file` now, 0 when it does not exist. */
export function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
