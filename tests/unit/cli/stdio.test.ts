import { describe, expect, test } from "bun:test";
import { type CliOutput, createCliOutput, type WriteTarget } from "../../../src/cli/stdio.ts";

/** A stream that takes writes and finishes them only when the test says (a slow pipe). */
class SlowTarget implements WriteTarget {
  readonly pending: Array<{ text: string; done: (e?: Error | null) => void }> = [];
  errorListener: ((e: Error) => void) | null = null;
  constructor(
    private readonly name: string,
    private readonly sink: string[],
  ) {}
  write(text: string, done: (e?: Error | null) => void): boolean {
    this.pending.push({ text, done });
    return false;
  }
  on(_event: "error", listener: (e: Error) => void): this {
    this.errorListener = listener;
    return this;
  }
  /** Finishes the oldest write (with `error`, the write failed). */
  finishOne(error?: Error): void {
    const w = this.pending.shift();
    if (!w) throw new Error(`${this.name}: no write pending`);
    if (!error) this.sink.push(`${this.name}:${w.text}`);
    w.done(error ?? null);
  }
}

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function setup() {
  const sink: string[] = [];
  const said: string[] = [];
  const stdout = new SlowTarget("out", sink);
  const stderr = new SlowTarget("err", sink);
  const o: CliOutput = createCliOutput({
    stdout: () => stdout,
    stderr: () => stderr,
    sayNow: (t) => said.push(t),
    exit: (code) => {
      throw new Exited(code);
    },
  });
  /** Finishes every write as it gets issued, the streams taking turns, until none is left. */
  const drain = async () => {
    for (;;) {
      await Bun.sleep(0);
      if (stdout.pending.length) stdout.finishOne();
      else if (stderr.pending.length) stderr.finishOne();
      else return;
    }
  };
  return { o, sink, said, stdout, stderr, drain };
}

const epipe = () => Object.assign(new Error("EPIPE: broken pipe, write"), { code: "EPIPE" });

describe("createCliOutput", () => {
  test("writes keep their order, also across stdout and stderr", async () => {
    const { o, sink, stdout, stderr, drain } = setup();
    o.out.write("a");
    o.err.line("b");
    o.out.write("c");
    o.out.line("d");
    o.err.write("e");
    // stderr waits for stdout's write before it; stdout's later writes wait for stderr's
    expect(stdout.pending.map((w) => w.text)).toEqual(["a"]);
    expect(stderr.pending).toEqual([]);
    await drain();
    expect(sink).toEqual(["out:a", "err:b\n", "out:c", "out:d\n", "err:e"]);
  });

  test("a stream's own writes are all issued at once", () => {
    const { o, stdout } = setup();
    o.out.write("1");
    o.out.write("2");
    o.out.write("");
    o.out.line("3");
    expect(stdout.pending.map((w) => w.text)).toEqual(["1", "2", "3\n"]);
  });

  test("written() resolves only once every write is done", async () => {
    const { o, stdout, stderr } = setup();
    let done = false;
    o.out.write("x".repeat(100_000));
    o.err.write("y");
    const w = o.written().then(() => {
      done = true;
    });
    await Bun.sleep(1);
    expect(done).toBe(false);
    stdout.finishOne();
    await Bun.sleep(1);
    expect(done).toBe(false);
    stderr.finishOne();
    await w;
    expect(done).toBe(true);
  });

  test("EPIPE (the reader went away) exits 141 and says nothing", () => {
    const { o, stdout, said } = setup();
    o.out.write("a");
    expect(() => stdout.finishOne(epipe())).toThrow(new Exited(141));
    expect(said).toEqual([]);
    // nothing more is written
    o.out.write("b");
    expect(stdout.pending).toEqual([]);
  });

  test("EPIPE as an 'error' event exits 141 too (no uncaught exception)", () => {
    const { o, stderr } = setup();
    o.err.write("a");
    expect(() => stderr.errorListener!(epipe())).toThrow(new Exited(141));
  });

  test("another failed write to stdout is said on stderr, exit 1", () => {
    const { o, stdout, said } = setup();
    o.out.write("a");
    const full = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    expect(() => stdout.finishOne(full)).toThrow(new Exited(1));
    expect(said).toEqual(["orch: cannot write to stdout: ENOSPC: no space left on device, write\n"]);
  });
});
