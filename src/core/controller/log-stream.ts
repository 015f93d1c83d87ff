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
 * system's change events, not a timer) until the reader cancels or `endWhen` ends it. A new
 * file at the path (a pane log rotated) is followed from its start.
 *
 * @example
 * return new Response(fileStream(logPath, { follow: true, from: 4096 }));
 */
export function fileStream(path: string, opts: FileStreamOptions): ReadableStream<Uint8Array> {
  // read as the reader takes it: a long log is never held whole
  if (!opts.follow) return fileChunks(path, opts.from ?? 0);
  let offset = opts.from ?? 0;
  let inode = -1;
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
        const st = statSync(path);
        const size = st.size;
        if (size < offset) offset = 0; // truncated
        if (inode !== -1 && st.ino !== inode) {
          // a new file at the path (a pane log rotated): follow it from its start
          offset = 0;
          watcher?.close();
          watcher = watch(path, pushNew);
        }
        inode = st.ino;
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
      if (existsSync(path)) watcher ??= watch(path, pushNew);
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

/**
 * A file's bytes as a stream read as the reader takes them, 64 KB at a time: the controller
 * holds little of it however big the file (a task's full output, a long pane log).
 *
 * @example
 * return new Response(fileChunks(outputFile));
 */
export function fileChunks(path: string, from = 0): ReadableStream<Uint8Array> {
  let fd: number | null = null;
  // a start past the end (the file was replaced meanwhile) reads from the start
  let offset = existsSync(path) && from <= statSync(path).size ? from : 0;
  const close = () => {
    if (fd !== null) closeSync(fd);
    fd = null;
  };
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (fd === null && !existsSync(path)) {
          controller.close();
          return;
        }
        fd ??= openSync(path, "r");
        const buf = new Uint8Array(CHUNK);
        const n = readSync(fd, buf, 0, CHUNK, offset);
        if (n <= 0) {
          close();
          controller.close();
          return;
        }
        offset += n;
        controller.enqueue(buf.subarray(0, n));
      },
      cancel: close,
    },
    { highWaterMark: 1 },
  );
}
