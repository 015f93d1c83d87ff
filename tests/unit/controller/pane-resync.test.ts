/**
 * A pane tmux paused (control-mode flow control: the controller fell `pause-after` behind on
 * it): the task in flight is read from the worker's pipe-pane log instead, and the pane is
 * resumed once the log is caught up with no task in flight. The real flows and store on a
 * scripted pane; the log is a temp file the test writes as pipe-pane would.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PaneReader } from "../../../src/core/controller/pane-reader.ts";
import { hookPlugin, markerPlugin, markerRun, PROMPT, ScriptedWorker } from "../../helpers/fake-pane.ts";

const dirs: string[] = [];
const open: ScriptedWorker[] = [];
afterEach(() => {
  for (const w of open.splice(0)) w.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A ready marker worker whose output goes through a reader that knows its log and can resume. */
function pausableWorker(plugin = markerPlugin()) {
  const dir = mkdtempSync(join(tmpdir(), "orch-resync-"));
  dirs.push(dir);
  const log = join(dir, "w1.log");
  writeFileSync(log, "");
  const w = new ScriptedWorker({ plugin, ready: /\$ $/ });
  open.push(w);
  const continued: string[] = [];
  const reader = new PaneReader({
    host: () => ({ ops: w.pane, continuePane: (paneId) => continued.push(paneId) }),
    flow: w.flow,
    turns: w.turns,
    logger: { log: () => undefined },
    store: w.store,
    logOf: () => log,
  });
  /** The pane printed `text`: it reaches the log always, the reader live (dropped while paused). */
  const print = (text: string) => {
    appendFileSync(log, text);
    reader.around(() => reader.onOutput(w.rt, new TextEncoder().encode(text)));
  };
  print(`welcome\r\n${PROMPT}`);
  expect(w.rt.phase).toBe("ready");
  return { w, reader, log, continued, print };
}

describe("PaneResync: a paused pane's task is read from its log", () => {
  test("the task's whole output comes from the log, live output is dropped meanwhile, and the pane resumes after", async () => {
    const { w, reader, log, continued, print } = pausableWorker();
    const t = w.send("flood");
    const run = markerRun(t.id, "line 1\nline 2\nline 3\n", 0);
    const cut = run.indexOf("line 2");
    print(run.slice(0, cut)); // live: the start marker and the first line
    expect(w.task(t.id).status).toBe("running");
    reader.onPaused(w.rt);
    expect(w.rt.logFeed).not.toBeNull();
    // tmux dropped what it held for the controller: the rest is only in the log
    appendFileSync(log, run.slice(cut));
    reader.onOutput(w.rt, new TextEncoder().encode("LIVE BYTES AFTER THE PAUSE"));
    const done = await w.waitFinal(t.id, 5000);
    expect(done.status).toBe("succeeded");
    expect(done.output).toBe("line 1\nline 2\nline 3\n");
    await w.waitFor("the pane resumed", () => continued.length === 1, 5000);
    expect(continued).toEqual(["%1"]);
    expect(w.rt.logFeed).toBeNull();
    expect(w.rt.phase).toBe("ready");
    // live output is the source again: the next task ends from it
    const t2 = w.send("echo again");
    print(markerRun(t2.id, "again\n", 3));
    expect((await w.waitFinal(t2.id, 5000)).status).toBe("failed");
  });

  test("a task paused before its start marker showed is found from where the log was at its dispatch", async () => {
    const { w, reader, log, continued } = pausableWorker();
    appendFileSync(log, `old output with a prompt\r\n${PROMPT}`);
    const t = w.send("flood");
    reader.onPaused(w.rt);
    appendFileSync(log, markerRun(t.id, "x\n".repeat(100_000), 0));
    const done = await w.waitFinal(t.id, 5000);
    expect(done.output).toBe("x\n".repeat(100_000));
    await w.waitFor("the pane resumed", () => continued.length === 1, 5000);
  });

  test("a task that times out while paused is timed_out, and the pane resumes once its log is caught up", async () => {
    const { w, reader, log, continued, print } = pausableWorker();
    const t = w.send("yes", { timeoutSec: 0.2 });
    const run = markerRun(t.id, "y\n".repeat(10), 0);
    print(run.slice(0, run.indexOf("y\r\n")));
    reader.onPaused(w.rt);
    appendFileSync(log, "y\r\n".repeat(1000));
    const done = await w.waitFinal(t.id, 5000);
    expect(done.status).toBe("timed_out");
    expect(done.output?.startsWith("y\ny\ny")).toBe(true);
    appendFileSync(log, `^C\r\n${PROMPT}`); // the interrupt's echo and the prompt
    await w.waitFor("the pane resumed", () => continued.length === 1, 5000);
    await w.waitFor("the worker ready again", () => w.rt.phase === "ready", 5000);
  });

  test("a pane paused with no task in flight is resumed at once", () => {
    const { w, reader, continued } = pausableWorker();
    reader.onPaused(w.rt);
    expect(continued).toEqual(["%1"]);
    expect(w.rt.logFeed).toBeNull();
  });

  test("an interactive agent's pane is resumed at once (its screen tells its state)", () => {
    const { w, reader, continued } = pausableWorker(hookPlugin());
    reader.onPaused(w.rt);
    expect(continued).toEqual(["%1"]);
    expect(w.rt.logFeed).toBeNull();
  });
});

describe("PaneResync: a runtime replaced meanwhile", () => {
  test("is fed no more (a reconnect's adoption finishes the task from the log itself)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "orch-resync-"));
    dirs.push(dir);
    const log = join(dir, "w1.log");
    writeFileSync(log, "");
    const w = new ScriptedWorker({ plugin: markerPlugin(), ready: /\$ $/ });
    open.push(w);
    const runtimes = new Map([[w.rt.name, w.rt]]);
    const reader = new PaneReader({
      host: () => ({ ops: w.pane, continuePane: () => undefined }),
      flow: w.flow,
      turns: w.turns,
      logger: { log: () => undefined },
      store: w.store,
      logOf: () => log,
      runtimes,
    });
    w.output(`welcome\r\n${PROMPT}`);
    const t = w.send("flood");
    reader.onPaused(w.rt);
    runtimes.delete(w.rt.name); // the link was lost: adoption made a new runtime
    appendFileSync(log, markerRun(t.id, "done\n", 0));
    await w.waitFor("the feed stopped", () => w.rt.logFeed === null, 5000);
    expect(w.task(t.id).status).toBe("dispatched");
  });
});
