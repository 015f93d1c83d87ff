/**
 * Nothing runs ahead of the store: a task is typed, and a waiter answered, only once the commit
 * that holds it is stored; an end whose commit rolled back is kept to be written again.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { markerPlugin, markerRun, PROMPT, ScriptedWorker } from "../../helpers/fake-pane.ts";

const open: ScriptedWorker[] = [];
afterEach(() => {
  for (const w of open.splice(0)) w.close();
});

function readyWorker(): ScriptedWorker {
  const w = new ScriptedWorker({ ready: /\$ $/, plugin: markerPlugin() });
  open.push(w);
  w.output(`welcome\r\n${PROMPT}`);
  expect(w.rt.phase).toBe("ready");
  return w;
}

/** Lets the microtasks and one turn of the event loop run (a paste goes out in a microtask). */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe("commit first, then act", () => {
  test("a dispatch whose commit rolls back is never typed, and the task is not stored", async () => {
    const w = readyWorker();
    expect(() =>
      w.store.transaction(() => {
        w.send("echo once");
        throw new Error("the commit failed");
      }),
    ).toThrow("the commit failed");
    await settle();
    expect(w.pane.strokes).toEqual([]);
    expect(w.store.tasks.list()).toEqual([]);
  });

  test("a dispatch is typed once its commit is stored, not before", async () => {
    const w = readyWorker();
    w.store.transaction(() => {
      w.send("echo hi");
      expect(w.pane.strokes).toEqual([]);
    });
    await w.pane.waitForStroke(() => w.pane.keysSent().length >= 1, 1000, "submit keys");
    expect(w.pane.strokes[0]).toMatchObject({ op: "paste", text: "setup; run echo hi" });
  });

  test("an end whose commit rolls back answers no waiter and is kept for the resume", async () => {
    const w = readyWorker();
    const t = w.send("echo hi");
    await w.pane.waitForStroke(() => w.pane.keysSent().length >= 1, 1000, "submit keys");
    let told: unknown = null;
    void w.waiters
      .wait(t.id, 60_000, () => null)
      .then((x) => {
        told = x;
      });
    expect(() =>
      w.store.transaction(() => {
        w.output(markerRun(t.id, "hi\n", 0));
        throw new Error("the commit failed");
      }),
    ).toThrow("the commit failed");
    await settle();
    expect(told).toBeNull();
    expect(w.finals).toEqual([]);
    expect(w.task(t.id).status).not.toBe("succeeded");
    expect(w.flow.takeUnsaved(t.id)).toMatchObject({ exitCode: 0 });
    expect(w.flow.takeUnsaved(t.id)).toBeUndefined();
  });
});
