/**
 * The CLI's one way to stdout and stderr. Every command prints through {@link out} and
 * {@link err}, and the CLI exits through {@link exitAfterOutput} (lint/cli-output.grit keeps
 * it so), because of how Bun writes: to a pipe, `process.stdout.write` only queues the text,
 * and `process.exit()` drops what is still queued (a pipe holds 64 KiB, so
 * `orch results --json | jq` got a cut document); and `console.log` writes at once, so mixed
 * with queued writes it lands in the middle of them.
 *
 * Here every write keeps its order, also between the two streams (`2>&1` reads as a file
 * would); the process exits only once all of it is written; and a reader that went away
 * (`orch results | head -1`) ends the command the way it ends a Unix tool: quietly, exit 141
 * (128 + SIGPIPE, what a shell shows for `seq 1 1000000 | head -1`). Any other failed write
 * (a full disk) is one line on stderr and exit 1.
 *
 * @example
 * ```ts
 * out.line("id  status");
 * out.write(task.output);
 * err.line(`orch: task ${task.id} failed`);
 * await exitAfterOutput(EXIT.ok); // never returns; the text above is all written first
 * ```
 */
import { writeSync } from "node:fs";
import { EXIT } from "./exit-codes.ts";

/** What this module needs of a Node stream such as `process.stdout`. */
export interface WriteTarget {
  /** Calls `done` once the text is written (with the error if it could not be). */
  write(text: string, done: (e?: Error | null) => void): unknown;
  on(event: "error", listener: (e: Error) => void): unknown;
}

/** Where {@link createCliOutput} writes, and how it ends the process. */
export interface CliOutputIo {
  /** Called on the first write only: Bun sets up `process.stdout` when it is first read. */
  stdout: () => WriteTarget;
  stderr: () => WriteTarget;
  /** Says why stdout failed when the queue cannot (straight to fd 2, best effort). */
  sayNow: (text: string) => void;
  exit: (code: number) => never;
}

/** A stream of the CLI: `write` as is, `line` with a newline (as console.log would). */
export interface CliStream {
  write(text: string): void;
  line(text: string): void;
}

/** The CLI's two streams, in one order. */
export interface CliOutput {
  out: CliStream;
  err: CliStream;
  /** Resolves once everything written so far is written. */
  written(): Promise<void>;
}

type StreamName = "stdout" | "stderr";

/** One write: issued once the writes before it allow, settled once the stream took it. */
interface PendingWrite {
  stream: StreamName;
  issued: boolean;
  settled: boolean;
  done: Promise<void>;
}

/**
 * Ordered, awaitable writes to two streams (see the module's doc).
 *
 * @example
 * ```ts
 * const o = createCliOutput({ stdout: () => process.stdout, stderr: () => process.stderr,
 *   sayNow: (t) => writeSync(2, t), exit: (c) => process.exit(c) });
 * o.out.line("hi");
 * await o.written();
 * ```
 */
export function createCliOutput(io: CliOutputIo): CliOutput {
  const targets = new Map<StreamName, WriteTarget>();
  let last: PendingWrite | null = null;
  let failing = false;

  // EPIPE ends the command like SIGPIPE would; anything else is said on stderr
  const failed = (stream: StreamName, e: Error & { code?: string }) => {
    if (failing) return;
    failing = true;
    if (e.code === "EPIPE") io.exit(EXIT.brokenPipe);
    if (stream === "stdout") io.sayNow(`orch: cannot write to stdout: ${e.message}\n`);
    io.exit(EXIT.taskFailed);
  };

  const target = (stream: StreamName): WriteTarget => {
    let t = targets.get(stream);
    if (!t) {
      t = stream === "stdout" ? io.stdout() : io.stderr();
      // Bun reports EPIPE to the write's callback and as an "error" event, which without a
      // listener is an uncaught exception with a stack trace
      t.on("error", (e) => failed(stream, e));
      targets.set(stream, t);
    }
    return t;
  };

  const issue = (entry: PendingWrite, text: string) => {
    entry.issued = true;
    return new Promise<void>((resolve) => {
      target(entry.stream).write(text, (e) => {
        entry.settled = true;
        if (e) failed(entry.stream, e);
        resolve();
      });
    });
  };

  const enqueue = (stream: StreamName, text: string) => {
    if (text === "" || failing) return;
    const prev = last;
    const entry: PendingWrite = { stream, issued: false, settled: false, done: Promise.resolve() };
    // a stream keeps the order of its own writes; a switch to the other stream waits for the
    // writes before it, so that stdout and stderr into one pipe interleave as in a file
    const now = prev === null || prev.settled || (prev.stream === stream && prev.issued);
    entry.done = now ? issue(entry, text) : prev.done.then(() => issue(entry, text));
    last = entry;
  };

  const stream = (name: StreamName): CliStream => ({
    write: (text) => enqueue(name, text),
    line: (text) => enqueue(name, `${text}\n`),
  });

  return {
    out: stream("stdout"),
    err: stream("stderr"),
    async written() {
      while (last && !last.settled) await last.done;
    },
  };
}

const cli = createCliOutput({
  stdout: () => process.stdout,
  stderr: () => process.stderr,
  sayNow: (text) => {
    try {
      writeSync(2, text);
    } catch {}
  },
  exit: (code) => process.exit(code),
});

/** The CLI's stdout: what a command prints. */
export const out: CliStream = cli.out;
/** The CLI's stderr: errors, warnings and notes such as `wrote FILE`. */
export const err: CliStream = cli.err;

/** Exits with `code` once all output is written (the one exit of the CLI). */
export async function exitAfterOutput(code: number): Promise<never> {
  await cli.written();
  process.exit(code);
}
