import { closeSync, existsSync, type FSWatcher, openSync, readSync, statSync, watch } from "node:fs";

const CHUNK = 64 * 1024;

/**
 * A file's bytes as a stream; with `follow`, what is appended later too (woken by the file
 * system's change events, not a timer) until the reader cancels.
 *
 * @example
 * return new Response(fileStream(logPath, { follow: true }));
 */
export function fileStream(path: string, opts: { follow: boolean }): ReadableStream<Uint8Array> {
  let offset = 0;
  let watcher: FSWatcher | null = null;
  let closed = false;
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
    },
    cancel() {
      closed = true;
      watcher?.close();
    },
  });
}

/**
 * A file's bytes as a stream read as the reader takes them, 64 KB at a time: the controller
 * holds little of it however big the file (a task's full output, a long pane log).
 *
 * @example
 * return new Response(fileChunks(outputFile));
 */
export function fileChunks(path: string): ReadableStream<Uint8Array> {
  let fd: number | null = null;
  let offset = 0;
  const close = () => {
    if (fd !== null) closeSync(fd);
    fd = null;
  };
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
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
