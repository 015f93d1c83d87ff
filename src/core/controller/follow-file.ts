import { closeSync, type FSWatcher, openSync, readSync, statSync, watch } from "node:fs";

/** Stops following. */
export interface LineFollower {
  close(): void;
}

/**
 * Calls `onLine` for every complete line appended to `file` from now on, woken by the
 * file system's change events (inotify), not by a timer.
 */
export function followLines(file: string, onLine: (line: string) => void): LineFollower {
  let offset = statSync(file).size;
  let partial = "";
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  const readNew = () => {
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return;
    }
    if (size < offset) offset = 0; // truncated
    if (size === offset) return;
    const fd = openSync(file, "r");
    try {
      const buf = new Uint8Array(size - offset);
      const n = readSync(fd, buf, 0, buf.length, offset);
      offset += n;
      partial += decoder.decode(buf.subarray(0, n), { stream: true });
    } finally {
      closeSync(fd);
    }
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const l of lines) if (l) onLine(l);
  };
  const watcher: FSWatcher = watch(file, () => readNew());
  return { close: () => watcher.close() };
}
