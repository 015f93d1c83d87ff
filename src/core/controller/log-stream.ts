import { closeSync, existsSync, type FSWatcher, openSync, readSync, statSync, watch } from "node:fs";

const CHUNK = 64 * 1024;

/** What {@link fileStream} streams: from which byte, and whether (and until when) to follow. */
export interface FileStreamOptions {
  follow: boolean;
  /** The first byte to send (a reader resuming where it was); past the end: from the start. */
  from?: number;
  /** With `follow`: calls `end` when the stream is to end (what was appended by then sent first); returns the unsubscribe. */
  endWhen?: (end: () => void) => () => void;
}

/**
 * A file's bytes as a stream; with `follow`, what is appended later too (woken by the file
 * system's change events, not a timer) until the reader cancels or `endWhen` ends it.
 *
 * @example
 * return new Response(fileStream(logPath, { follow: true, from: 4096 }));
 */
export function fileStream(path: string, opts: FileStreamOptions): ReadableStream<Uint8Array> {
  let offset = opts.from ?? 0;
  let watcher: FSWatcher | null = null;
  let unsubscribe: (() => void) | null = null;
  let closed = false;
  const stop = () => {
    closed = true;
    watcher?.close();
    unsubscribe?.();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const pushNew = () => {
        if (closed || !existsSync(path)) return;
        const size = statSync(path).size;
        if (size < offset) offset = 0; // truncated
        const fd = openSync(path, "r");
        try {
          while (offset < size) {
            const buf = new Uint8Array(Math.min(CHUNK, size - offset));
            const n = readSync(fd, buf, 0, buf.length, offset);
            if (n <= 0) break;
            offset += n;
            controller.enqueue(buf.subarray(0, n));
          }
        } finally {
          closeSync(fd);
        }
      };
      pushNew();
      if (!opts.follow) {
        controller.close();
        return;
      }
      if (existsSync(path)) watcher = watch(path, pushNew);
      unsubscribe =
        opts.endWhen?.(() => {
          if (closed) return;
          pushNew();
          stop();
          controller.close();
        }) ?? null;
    },
    cancel: stop,
  });
}
