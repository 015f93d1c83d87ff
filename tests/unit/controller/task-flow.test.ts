/**
 * TaskFlow with fakes: a scripted pane instead of tmux, the real store in memory. Output is
 * pushed as tmux's %output would bring it; what went out to the pane is read back as strokes.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OutputKeeping } from "../../../src/core/controller/task-output.ts";
import { Masker } from "../../../src/core/domain/mask/masker.ts";
import { utf8ByteLength } from "../../../src/core/domain/utf8.ts";
import {
  DEFAULT_MARKERS,
  markerPlugin,
  markerRun,
  PROMPT,
  ScriptedWorker,
  type ScriptedWorkerOptions,
} from "../../helpers/fake-pane.ts";

const open: ScriptedWorker[] = [];
afterEach(() => {
  for (const w of open.splice(0)) w.close();
});

/** A marker worker, ready (its prompt printed). */
function readyWorker(o: Partial<ScriptedWorkerOptions> = {}): ScriptedWorker {
  const plugin = o.plugin ?? markerPlugin();
  const w = new ScriptedWorker({ ready: /\$ $/, ...o, plugin });
  open.push(w);
  w.output(`welcome\r\n${PROMPT}`);
  expect(w.rt.phase).toBe("ready");
  return w;
}

const m = DEFAULT_MARKERS;
const submitted = (w: ScriptedWorker, n = 1) =>
  w.pane.waitForStroke(() => w.pane.keysSent().length >= n, 1000, `submit keys #${n}`);

describe("TaskFlow: delivery", () => {
  test("a worker is not ready before its prompt, and takes no task until then", () => {
    const w = new ScriptedWorker({ plugin: markerPlugin(), ready: /\$ $/ });
    open.push(w);
    const t = w.send("echo hi");
    expect(t.status).toBe("queued");
    expect(w.pane.strokes).toEqual([]);
    w.output(`starting...\r\n${PROMPT}`);
    expect(w.task(t.id).status).toBe("dispatched");
  });

  test("a task is pasted as the plugin frames it, then the submit keys; the worker is running", async () => {
    const w = readyWorker();
    const t = w.send("echo hi");
    expect(t.status).toBe("dispatched");
    expect(t.attempts).toBe(1);
    await submitted(w);
    expect(w.pane.strokes).toEqual([
      { op: "paste", paneId: "%1", text: "setup; run echo hi" },
      { op: "keys", paneId: "%1", keys: ["Enter"] },
    ]);
    expect(w.worker()).toMatchObject({ state: "running", currentTask: t.id });
  });

  test("a frame's clearKeys go out before the paste, in the same order", async () => {
    const w = readyWorker({
      plugin: markerPlugin({
        frame: (task) => ({ clearKeys: ["C-g", "C-u"], text: task.text, submit: ["Enter"] }),
      }),
    });
    w.send("echo hi");
    await submitted(w, 2);
    expect(w.pane.strokes).toEqual([
      { op: "keys", paneId: "%1", keys: ["C-g", "C-u"] },
      { op: "paste", paneId: "%1", text: "echo hi" },
      { op: "keys", paneId: "%1", keys: ["Enter"] },
    ]);
  });

  test("the submit keys wait for the frame's submitDelayMs after the paste", async () => {
    const w = readyWorker({
      plugin: markerPlugin({ frame: (task) => ({ text: task.text, submit: ["C-m"], submitDelayMs: 60 }) }),
    });
    const pasted: number[] = [];
    w.pane.onStroke(() => pasted.push(performance.now()));
    w.send("x");
    await submitted(w);
    expect(pasted).toHaveLength(2);
    expect(pasted[1]! - pasted[0]!).toBeGreaterThanOrEqual(55);
    expect(w.pane.keysSent()).toEqual([["C-m"]]);
  });

  test("a paste tmux refuses fails the task, naming why", async () => {
    const w = readyWorker();
    w.pane.failNext("paste", "can't find pane: %1");
    const t = w.send("echo hi");
    const done = await w.waitFinal(t.id, 1000);
    expect(done.status).toBe("failed");
    expect(done.error).toBe("delivery failed: can't find pane: %1");
  });

  test("a delivery cut by a lost link to tmux does not fail the task: it stays in flight for the adoption to decide", async () => {
    const w = readyWorker();
    w.pane.failNext("paste", "tmux control client exited (0)", { linkLost: true });
    const t = w.send("echo hi");
    await w.pane.waitForStroke((s) => s.op === "keys" && s.keys.includes("Enter"), 1000, "the submit key");
    // the delivery's rejection is handled within this turn (as the test above fails its task)
    await new Promise((r) => setImmediate(r));
    expect(w.store.tasks.get(t.id)?.status).toBe("dispatched");
    expect(w.store.tasks.get(t.id)?.error).toBeNull();
  });

  test("a frame() that throws fails the task through the plugin boundary; nothing is typed", async () => {
    const w = readyWorker({
      plugin: markerPlugin({
        frame: () => {
          throw new Error("one line only");
        },
      }),
    });
    const t = w.send("a\nb");
    const done = await w.waitFinal(t.id, 1000);
    expect(done.status).toBe("failed");
    expect(done.error).toBe("plugin t-marker failed in frame(): one line only");
    expect(w.pane.strokes).toEqual([]);
  });
});

describe("TaskFlow: markers in the output", () => {
  test("the echoed line changes nothing; the start marker makes it running; the end marker finishes it", async () => {
    const w = readyWorker();
    const t = w.send("echo hi");
    await submitted(w);
    w.output("setup; run echo hi\r\n");
    expect(w.task(t.id).status).toBe("dispatched");
    w.output(`${m.startPrefix}${t.id}${m.suffix}\r\nhello\r\n`);
    expect(w.task(t.id).status).toBe("running");
    // the end marker split across two reads
    w.output(`wor\x1b[1mld\x1b[0m\r\n${m.endPrefix}${t.id}-`);
    expect(w.task(t.id).status).toBe("running");
    w.output(`0${m.suffix}\r\n${PROMPT}`);
    const done = await w.waitFinal(t.id, 1000);
    expect(done).toMatchObject({ status: "succeeded", exitCode: 0, output: "hello\nworld\n", error: null });
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt!).toBeGreaterThanOrEqual(done.startedAt!);
    await w.waitFor("the worker idle", () => w.worker().state === "idle", 1000);
    expect(w.worker().currentTask).toBeNull();
    expect(w.rt.phase).toBe("ready");
  });

  test("a non-zero exit status fails the task with it", async () => {
    const w = readyWorker();
    const t = w.send("false");
    await submitted(w);
    w.output(markerRun(t.id, "no such file\n", 3));
    const done = await w.waitFinal(t.id, 1000);
    expect(done).toMatchObject({ status: "failed", exitCode: 3, output: "no such file\n" });
    expect(done.error).toBe("exited with status 3");
    expect(w.store.events.latest(10).map((e) => e.kind)).toContain("task.failed");
  });

  test("the next queued task goes out once the prompt is back, framed as not fresh", async () => {
    const fresh: Array<boolean | undefined> = [];
    const w = readyWorker({
      plugin: markerPlugin({
        frame: (task) => {
          fresh.push(task.fresh);
          return { text: `run ${task.text}`, submit: ["Enter"] };
        },
      }),
    });
    const a = w.send("one");
    const b = w.send("two");
    expect(b.status).toBe("queued");
    await submitted(w);
    // the end marker without the prompt: the worker settles, it is not ready yet
    w.output(markerRun(a.id, "1\n", 0, { prompt: "" }));
    expect(w.task(a.id).status).toBe("succeeded");
    expect(w.task(b.id).status).toBe("queued");
    w.output(PROMPT);
    expect(w.task(b.id).status).toBe("dispatched");
    await submitted(w, 2);
    expect(fresh).toEqual([true, false]);
    expect(w.pane.strokes.filter((s) => s.op === "paste").map((s) => (s as { text: string }).text)).toEqual([
      "run one",
      "run two",
    ]);
  });

  test("the plugin's result() shapes the output; one that throws fails the task and keeps the raw text", async () => {
    const w = readyWorker({
      plugin: markerPlugin({
        result: ({ raw }) => {
          if (raw.includes("boom")) throw new Error("bad json");
          return { text: raw.toUpperCase(), tokens: { input: 1, output: 2 } };
        },
      }),
    });
    const a = w.send("a");
    await submitted(w);
    w.output(markerRun(a.id, "fine\n", 0));
    expect(await w.waitFinal(a.id, 1000)).toMatchObject({
      status: "succeeded",
      output: "FINE\n",
      result: { tokens: { input: 1, output: 2 } },
    });
    const b = w.send("b");
    await submitted(w, 2);
    w.output(markerRun(b.id, "boom\n", 0));
    const done = await w.waitFinal(b.id, 1000);
    expect(done.status).toBe("failed");
    expect(done.output).toBe("boom\n");
    expect(done.error).toBe("plugin t-marker failed in result(): bad json; the raw output is kept");
  });
});

describe("TaskFlow: output over maxOutputBytes", () => {
  const dir = mkdtempSync(join(tmpdir(), "orch-flow-outputs-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const masker = new Masker([], []);
  const keeping: OutputKeeping = {
    maxBytes: 4096,
    file: (id) => join(dir, `${id}.out`),
    mask: () => (s) => masker.mask(s),
  };
  const lines = (n: number) =>
    Array.from({ length: n }, (_, i) => `line ${i} ${"q".repeat(70)}\r\n`).join("");

  test("a long output is stored capped with its size, the whole of it (masked) in the task's file", async () => {
    const w = readyWorker({ outputs: keeping });
    const t = w.send("big");
    await submitted(w);
    w.output(`${m.startPrefix}${t.id}${m.suffix}\r\nDB_PASSWORD=hunter22\r\n`);
    for (let i = 0; i < 20; i++) w.output(lines(100));
    w.output(`${m.endPrefix}${t.id}-0${m.suffix}\r\n${PROMPT}`);
    const done = await w.waitFinal(t.id, 1000);
    const whole = `DB_PASSWORD=[MASKED:secret]\n${lines(100).replaceAll("\r\n", "\n").repeat(20)}`;
    expect(done.status).toBe("succeeded");
    expect(utf8ByteLength(done.output!)).toBeLessThanOrEqual(4096);
    expect(done.output).toContain(`[orch: output cut here: `);
    // (this store masks nothing: the controller's store masks what it keeps)
    expect(done.output!.startsWith("DB_PASSWORD=hunter22\nline 0 ")).toBe(true);
    expect(done.output!.endsWith(`line 99 ${"q".repeat(70)}\n`)).toBe(true);
    expect(readFileSync(keeping.file(t.id), "utf8")).toBe(whole);
    expect(done.outputBytes).toBe(utf8ByteLength(whole));
    // the scanner did not hold the whole output meanwhile: it handed it to the file as it came
    expect(w.rt.scanner).toBeNull();
  });

  test("a short output is stored whole, no file; a timed-out long one keeps its head and tail", async () => {
    const w = readyWorker({ outputs: keeping });
    const a = w.send("small");
    await submitted(w);
    w.output(markerRun(a.id, "fine\n", 0));
    const small = await w.waitFinal(a.id, 1000);
    expect(small.output).toBe("fine\n");
    expect(small.outputBytes).toBeUndefined();
    expect(existsSync(keeping.file(a.id))).toBe(false);

    const b = w.send("sleep", { timeoutSec: 0.2 });
    await submitted(w, 2);
    w.output(`${m.startPrefix}${b.id}${m.suffix}\r\n${lines(1000)}`);
    const late = await w.waitFinal(b.id, 2000);
    expect(late.status).toBe("timed_out");
    expect(late.output).toContain("[orch: output cut here: ");
    expect(readFileSync(keeping.file(b.id), "utf8")).toBe(lines(1000).replaceAll("\r\n", "\n"));
  });

  test("a plugin's result text over the cap is capped too, the whole of it in the file", async () => {
    const w = readyWorker({
      outputs: keeping,
      plugin: markerPlugin({ result: ({ raw }) => ({ text: raw.repeat(3) }) }),
    });
    const t = w.send("x");
    await submitted(w);
    w.output(markerRun(t.id, "r".repeat(2000), 0));
    const done = await w.waitFinal(t.id, 1000);
    expect(done.output).toContain("[orch: output cut here: ");
    expect(readFileSync(keeping.file(t.id), "utf8")).toBe("r".repeat(6000));
    expect(done.outputBytes).toBe(6000);
  });
});

describe("TaskFlow: timeouts, retries, cancelling", () => {
  test("a task past its timeout is timed out with its partial output, and the interrupt keys go out", async () => {
    const w = readyWorker({ plugin: markerPlugin({ interruptKeys: ["C-c", "C-c"] }) });
    const t = w.send("sleep 100", { timeoutSec: 0.1 });
    await submitted(w);
    w.output(`${m.startPrefix}${t.id}${m.suffix}\r\npartial\r\n`);
    const done = await w.waitFinal(t.id, 2000);
    expect(done.status).toBe("timed_out");
    expect(done.output).toBe("partial\n");
    expect(done.error).toBe("timed out after 0.1 s; interrupted with C-c C-c");
    await w.waitFor("the interrupt keys", () => w.pane.keysSent().length === 2, 1000);
    expect(w.pane.keysSent()).toEqual([["Enter"], ["C-c", "C-c"]]);
    // interrupted: settling until the prompt, and the next frame sets its session up again
    expect(w.rt.phase).toBe("settling");
    expect(w.rt.primed).toBe(false);
    expect(w.worker().state).toBe("idle");
  });

  test("a failed attempt with retries left is queued again after the backoff, kept as an attempt, then retried", async () => {
    const w = readyWorker({ retryDelayMs: 30 });
    const t = w.send("flaky", { retries: 1 });
    await submitted(w);
    w.output(markerRun(t.id, "nope\n", 1));
    const queued = w.task(t.id);
    expect(queued.status).toBe("queued");
    expect(queued.error).toMatch(/^attempt 1 of 2 failed: exited with status 1; retrying in 30 ms$/);
    expect(queued.notBefore).toBeGreaterThan(Date.now() - 5);
    expect(w.wakeUps).toEqual([queued.notBefore]);
    expect(w.finals).toEqual([]);
    // the retry goes out once its time has come (the worker is ready meanwhile)
    await submitted(w, 2);
    expect(w.task(t.id)).toMatchObject({ status: "dispatched", attempts: 2 });
    w.output(markerRun(t.id, "ok\n", 0));
    const done = await w.waitFinal(t.id, 1000);
    expect(done).toMatchObject({ status: "succeeded", attempts: 2, output: "ok\n" });
    expect(w.store.attempts.of(t.id)).toMatchObject([
      { attempt: 1, status: "failed", exitCode: 1, output: "nope\n" },
    ]);
    expect(w.finals.map((f) => f.id)).toEqual([t.id]);
  });

  test("when the retries are spent the task fails for good, and its waiters hear it once", async () => {
    const w = readyWorker({ retryDelayMs: 10 });
    const t = w.send("broken", { retries: 1 });
    const waited = w.waiters.wait(t.id, 5000, () => w.task(t.id));
    await submitted(w);
    w.output(markerRun(t.id, "", 2));
    await submitted(w, 2);
    w.output(markerRun(t.id, "", 2));
    expect((await waited)?.status).toBe("failed");
    expect(w.task(t.id)).toMatchObject({ status: "failed", attempts: 2, exitCode: 2 });
    expect(w.finals).toHaveLength(1);
  });

  test("a timed-out attempt is retried like a failed one", async () => {
    const w = readyWorker({ retryDelayMs: 10 });
    const t = w.send("slow", { timeoutSec: 0.05, retries: 1 });
    await submitted(w);
    await w.waitFor("the retry queued", () => w.task(t.id).status === "queued", 2000);
    expect(w.task(t.id).error).toMatch(/^attempt 1 of 2 timed out: timed out after 0.05 s/);
    w.output(PROMPT); // back after the interrupt
    await w.waitFor(
      "the retry delivered",
      () => w.pane.strokes.filter((s) => s.op === "paste").length === 2,
      2000,
    );
    expect(w.store.attempts.of(t.id)[0]?.status).toBe("timed_out");
  });

  test("cancelling a task in flight records it cancelled and interrupts the agent", async () => {
    const w = readyWorker();
    const t = w.send("sleep 100");
    await submitted(w);
    const c = w.cancel(t.id, "not needed");
    expect(c).toMatchObject({ status: "cancelled", error: "not needed" });
    await w.waitFor("the interrupt key", () => w.pane.keysSent().length === 2, 1000);
    expect(w.pane.keysSent().at(-1)).toEqual(["C-c"]);
    // its end marker, should it still come, changes nothing
    w.output(markerRun(t.id, "late\n", 0));
    expect(w.task(t.id).status).toBe("cancelled");
  });

  test("cancelUnfinished cancels the worker's task in flight and its queue, and answers their waiters", async () => {
    const w = readyWorker();
    const a = w.send("one");
    const b = w.send("two");
    const other = w.store.tasks.get(w.send("three").id)!;
    await submitted(w);
    w.store.transaction(() => w.flow.cancelUnfinished(w.name, "worker removed"));
    for (const id of [a.id, b.id, other.id])
      expect(w.task(id)).toMatchObject({ status: "cancelled", error: "worker removed" });
    expect(w.finals.map((t) => t.id).sort()).toEqual([a.id, b.id, other.id].sort());
  });
});
