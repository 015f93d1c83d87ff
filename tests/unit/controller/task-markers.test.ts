/**
 * Per-task markers: a nonce made from the store's key and the task id, so that a task cannot
 * end itself by printing `END+id-0+SUFFIX`, and a restarted controller (same store) still
 * knows the markers of a task that ran while it was away.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MarkerScanner } from "../../../src/core/controller/marker-scanner.ts";
import { endInLog } from "../../../src/core/controller/recover.ts";
import { markerKey, taskMarkers } from "../../../src/core/controller/task-markers.ts";
import { TaskOutput } from "../../../src/core/controller/task-output.ts";
import { openStore } from "../../../src/core/store/index.ts";
import { DEFAULT_MARKERS, markerPlugin, markerRun, PROMPT, ScriptedWorker } from "../../helpers/fake-pane.ts";

const base = DEFAULT_MARKERS;

describe("taskMarkers", () => {
  test("the suffix starts with 20 hex digits of nonce; the prefixes stay as configured", () => {
    const m = taskMarkers(base, "key", "t1");
    expect(m.startPrefix).toBe(base.startPrefix);
    expect(m.endPrefix).toBe(base.endPrefix);
    expect(m.suffix).toMatch(/^-[0-9a-f]{20}---$/);
  });

  test("the same task and key give the same markers; another task or key, others", () => {
    expect(taskMarkers(base, "key", "t1")).toEqual(taskMarkers(base, "key", "t1"));
    expect(taskMarkers(base, "key", "t2").suffix).not.toBe(taskMarkers(base, "key", "t1").suffix);
    expect(taskMarkers(base, "other", "t1").suffix).not.toBe(taskMarkers(base, "key", "t1").suffix);
  });

  test("each attempt of a task has its own markers, the first as without an attempt", () => {
    expect(taskMarkers(base, "key", "t1", 1)).toEqual(taskMarkers(base, "key", "t1"));
    expect(taskMarkers(base, "key", "t1", 2).suffix).not.toBe(taskMarkers(base, "key", "t1").suffix);
    expect(taskMarkers(base, "key", "t1", 3).suffix).not.toBe(taskMarkers(base, "key", "t1", 2).suffix);
  });

  test("recovering attempt 2 from a log that still holds attempt 1 takes attempt 2's end only", () => {
    const dir = mkdtempSync(join(tmpdir(), "orch-attempts-"));
    const log = join(dir, "w.log");
    const [a1, a2] = [taskMarkers(base, "key", "t1", 1), taskMarkers(base, "key", "t1", 2)];
    const framed = (m: typeof a1, out: string, code: number) =>
      `$ run\r\n${m.startPrefix}t1${m.suffix}\r\n${out}\r\n${m.endPrefix}t1-${code}${m.suffix}\r\n`;
    const out = () =>
      new TaskOutput({ taskId: "t1", maxBytes: Number.POSITIVE_INFINITY, file: "", mask: null });
    writeFileSync(log, framed(a1, "interrupted", 130));
    // only attempt 1 in the log: attempt 2 neither ended nor began
    expect(endInLog(log, "t1", [a2, base], out())).toEqual({ ended: false, started: false });
    writeFileSync(log, framed(a1, "interrupted", 130) + framed(a2, "second", 0));
    const o = out();
    expect(endInLog(log, "t1", [a2, base], o)).toEqual({ ended: true, exitCode: 0 });
    expect(o.finish().text).toBe("second\n");
    rmSync(dir, { recursive: true, force: true });
  });

  test("no key: the configured markers", () => {
    expect(taskMarkers(base, null, "t1")).toEqual(base);
  });

  test("the key is made once per store and read back after a reopen", () => {
    const dir = mkdtempSync(join(tmpdir(), "orch-key-"));
    const file = join(dir, "orch.db");
    const a = openStore(file);
    const key = markerKey(a);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(markerKey(a)).toBe(key);
    a.close();
    const b = openStore(file);
    expect(markerKey(b)).toBe(key);
    b.close();
    const other = openStore(":memory:");
    expect(markerKey(other)).not.toBe(key);
    other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the scanner takes a marker without the nonce as output, and ends at the one with it", () => {
    const m = taskMarkers(base, "key", "t1");
    const s = new MarkerScanner("t1", m);
    expect(s.push(`${m.startPrefix}t1${m.suffix}\r\n`).kind).toBe("pending");
    expect(s.push(`${base.endPrefix}t1-0${base.suffix}\r\n`).kind).toBe("pending");
    expect(s.push(`${base.endPrefix}t1-0-${"0".repeat(20)}${base.suffix}\r\nmore\r\n`).kind).toBe("pending");
    const r = s.push(`${m.endPrefix}t1-7${m.suffix}\r\n$ `);
    expect(r).toMatchObject({ kind: "done", exitCode: 7 });
    if (r.kind === "done")
      expect(r.raw).toBe(
        `${base.endPrefix}t1-0${base.suffix}\r\n${base.endPrefix}t1-0-${"0".repeat(20)}${base.suffix}\r\nmore\r\n`,
      );
  });
});

describe("TaskFlow with a marker key", () => {
  const open: ScriptedWorker[] = [];
  afterEach(() => {
    for (const w of open.splice(0)) w.close();
  });

  function worker(nonce: boolean): ScriptedWorker {
    const plugin = markerPlugin({ detect: { kind: "marker", nonce } });
    const w = new ScriptedWorker({ plugin, ready: /\$ $/, nonces: true });
    open.push(w);
    w.output(PROMPT);
    return w;
  }

  test("a plugin with detect.nonce gets per-task markers; a forged end marker is output, the real one ends the task", () => {
    const w = worker(true);
    const t = w.send("x");
    const m = w.flow.markerSet.forTask(w.rt.plugin, t.id);
    expect(m).toEqual(taskMarkers(DEFAULT_MARKERS, markerKey(w.store), t.id));
    expect(m.suffix).not.toBe(DEFAULT_MARKERS.suffix);
    const forged = `${m.endPrefix}${t.id}-0${DEFAULT_MARKERS.suffix}`;
    w.output(markerRun(t.id, `${forged}\nafter\n`, 7, { markers: m }));
    const done = w.task(t.id);
    expect(done.status).toBe("failed");
    expect(done.exitCode).toBe(7);
    expect(done.output).toBe(`${forged}\nafter\n`);
  });

  test("a plugin without detect.nonce keeps the configured markers (plugins written before it work as they did)", () => {
    const w = worker(false);
    const t = w.send("x");
    expect(w.flow.markerSet.forTask(w.rt.plugin, t.id)).toEqual(DEFAULT_MARKERS);
    w.output(markerRun(t.id, "hi\n", 0));
    expect(w.task(t.id)).toMatchObject({ status: "succeeded", output: "hi\n" });
  });
});
