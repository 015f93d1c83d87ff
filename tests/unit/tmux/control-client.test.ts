import { describe, expect, test } from "bun:test";
import { ControlClient } from "../../../src/core/tmux/control-client.ts";
import { TmuxCommandError, TmuxTimeoutError, TmuxUnavailableError } from "../../../src/core/tmux/errors.ts";
import type { ControlTransport } from "../../../src/core/tmux/transport.ts";

/** A scripted stand-in for `tmux -C`: records what was written, emits what the test says. */
class FakeTmux implements ControlTransport {
  readonly written: string[] = [];
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private exit!: (code: number) => void;
  readonly output = new ReadableStream<Uint8Array>({
    start: (c) => {
      this.controller = c;
    },
  });
  readonly exited = new Promise<number>((r) => {
    this.exit = r;
  });
  private n = 100;
  constructor(autoAttach = true) {
    if (autoAttach)
      queueMicrotask(() => this.emit("%begin 1 99 0\n%end 1 99 0\n%session-changed $0 agent-system\n"));
  }
  write(text: string) {
    this.written.push(text);
  }
  stderr() {
    return "";
  }
  close() {
    try {
      this.controller.close();
    } catch {}
    this.exit(0);
  }
  emit(text: string) {
    this.controller.enqueue(new TextEncoder().encode(text));
  }
  /** Answers the next command with these lines (ok) or an error. */
  answer(lines: string[], ok = true) {
    const n = this.n++;
    this.emit(`%begin 1 ${n} 1\n${lines.map((l) => `${l}\n`).join("")}%${ok ? "end" : "error"} 1 ${n} 1\n`);
  }
  die(code: number) {
    this.exit(code);
    this.controller.close();
  }
}

async function connected(onOutput?: (p: string, d: Uint8Array) => void) {
  const fake = new FakeTmux();
  const closed: string[] = [];
  const client = new ControlClient(() => fake, { onOutput, onClose: (r) => closed.push(r) }, 500);
  const p = client.connect();
  await Bun.sleep(0);
  await waitUntil(() => fake.written.length > 0);
  fake.answer(["ok"]);
  await p;
  return { fake, client, closed };
}

async function waitUntil(cond: () => boolean, ms = 2000) {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await Bun.sleep(1);
  }
}

describe("ControlClient", () => {
  test("pipelines commands and matches answers in the order sent", async () => {
    const { fake, client } = await connected();
    const a = client.run("list-panes");
    const b = client.run("bogus");
    const c = client.run("display-message -p x");
    await waitUntil(() => fake.written.join("").split("\n").length >= 5);
    expect(fake.written.join("")).toEndWith("list-panes\nbogus\ndisplay-message -p x\n");
    fake.answer(["%1", "%2"]);
    fake.answer(["unknown command: bogus"], false);
    fake.answer(["x"]);
    expect(await a).toEqual(["%1", "%2"]);
    await expect(b).rejects.toBeInstanceOf(TmuxCommandError);
    expect(await c).toEqual(["x"]);
  });

  test("a command list is one line; its answers (one per command) settle it once, the next command keeps its own", async () => {
    const { fake, client } = await connected();
    const list = client.runList(["display-message -p a", "set-option -p -t %1 @orch_sent t.1"]);
    const next = client.run("display-message -p c");
    await waitUntil(() => fake.written.join("").split("\n").length >= 4);
    expect(fake.written.join("")).toEndWith(
      "display-message -p a ; set-option -p -t %1 @orch_sent t.1\ndisplay-message -p c\n",
    );
    fake.answer(["a"]);
    fake.answer([]);
    fake.answer(["c"]);
    expect(await list).toEqual(["a"]);
    expect(await next).toEqual(["c"]);
  });

  test("a command list that fails on its first command (tmux skips the rest) rejects; the next command is not shifted", async () => {
    const { fake, client } = await connected();
    const list = client.runList(["send-keys -t %99 Enter", "set-option -p -t %99 @orch_sent t.1"]);
    const next = client.run("display-message -p c");
    await waitUntil(() => fake.written.join("").split("\n").length >= 4);
    fake.answer(["can't find pane: %99"], false);
    fake.answer(["c"]);
    const err = await list.catch((e) => e);
    expect(err).toBeInstanceOf(TmuxCommandError);
    expect(err.message).toContain("can't find pane: %99");
    expect(await next).toEqual(["c"]);
  });

  test("a %error names tmux's message and the command", async () => {
    const { fake, client } = await connected();
    const p = client.run("kill-pane -t %99");
    await waitUntil(() => fake.written.length > 1);
    fake.answer(["can't find pane: %99"], false);
    const err = await p.catch((e) => e);
    expect(err.message).toContain("can't find pane: %99");
    expect(err.message).toContain("kill-pane -t %99");
  });

  test("a command past its deadline fails; its late answer does not shift the next one", async () => {
    const { fake, client } = await connected();
    const slow = client.run("slow", 30);
    expect(slow).rejects.toBeInstanceOf(TmuxTimeoutError);
    await slow.catch(() => undefined);
    const next = client.run("next");
    fake.answer(["late answer to slow"]);
    fake.answer(["answer to next"]);
    expect(await next).toEqual(["answer to next"]);
  });

  test("decodes %output into bytes per pane", async () => {
    const got: Array<[string, string]> = [];
    const { fake } = await connected((p, d) => got.push([p, new TextDecoder().decode(d)]));
    fake.emit("%output %3 a\\011b\\015\\012\n%output %4 \\134\n");
    await waitUntil(() => got.length === 2);
    expect(got).toEqual([
      ["%3", "a\tb\r\n"],
      ["%4", "\\"],
    ]);
  });

  test("when tmux goes away, pending commands fail and onClose is told once", async () => {
    const { fake, client, closed } = await connected();
    const p = client.run("list-panes");
    fake.die(1);
    expect(p).rejects.toBeInstanceOf(TmuxUnavailableError);
    await waitUntil(() => closed.length === 1);
    expect(client.connected).toBe(false);
    expect(client.run("x")).rejects.toBeInstanceOf(TmuxUnavailableError);
  });

  test("%exit closes the connection", async () => {
    const { fake, client, closed } = await connected();
    fake.emit("%exit server exited unexpectedly\n");
    await waitUntil(() => closed.length === 1);
    expect(closed[0]).toContain("server exited unexpectedly");
    expect(client.connected).toBe(false);
  });

  test("connect waits for tmux's own attach block before it counts as connected", async () => {
    const fake = new FakeTmux(false);
    const client = new ControlClient(() => fake, {}, 300);
    let done = false;
    const p = client.connect().then(() => {
      done = true;
    });
    // several turns of the event loop: without tmux's attach block nothing may be sent
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(fake.written).toEqual([]);
    expect(done).toBe(false);
    fake.emit("%begin 1 99 0\n%end 1 99 0\n");
    await waitUntil(() => fake.written.length > 0);
    fake.answer(["ok"]);
    await p;
    expect(done).toBe(true);
  });
});

describe("ControlClient under a pane printing flat out", () => {
  test("timers and other work get turns of the event loop while output keeps coming", async () => {
    // tmux's stdout never empty: every read finds the next chunk at once
    const CHUNKS = 3000;
    const line = `%output %1 ${"flood-line\\015\\012".repeat(300)}\n`;
    const bytes = new TextEncoder().encode(line);
    let sent = 0;
    let handled = 0;
    const attach = new TextEncoder().encode("%begin 1 99 0\n%end 1 99 0\n");
    const flood: ControlTransport = {
      written: [] as string[],
      output: new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent === 0) c.enqueue(attach);
          if (sent++ < CHUNKS) c.enqueue(bytes);
          else c.close();
        },
      }),
      exited: new Promise<number>(() => undefined),
      write() {},
      stderr: () => "",
      close() {},
    } as ControlTransport;
    const client = new ControlClient(() => flood, {
      onOutput: () => {
        handled++;
        const until = performance.now() + 1; // a handler that takes its time
        while (performance.now() < until) {}
      },
    });
    void client.connect(10_000).catch(() => undefined);
    const firedAt = await new Promise<number>((resolve) => setTimeout(() => resolve(handled), 20));
    client.close();
    // before the fix the timer fired only once all the output was handled
    expect(firedAt).toBeLessThan(CHUNKS / 2);
  });
});
