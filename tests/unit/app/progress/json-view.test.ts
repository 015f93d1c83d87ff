import { describe, expect, test } from "bun:test";
import { createJsonView } from "../../../../src/cli/progress/json-view.ts";
import { capture, run, scenario, step, T0, task } from "./fixtures.ts";

/** Every line written so far, parsed. */
function events(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("createJsonView", () => {
  test("writes one parseable object per change, and nothing when nothing changed", () => {
    const { out, writes } = capture();
    const view = createJsonView(out);
    for (const { model, now, changes } of scenario()) {
      const before = writes.length;
      view.update(model, now);
      expect(events(writes.slice(before).join(""))).toHaveLength(changes);
      if (changes === 0) expect(writes).toHaveLength(before);
    }
  });

  test("every object has its event, an ISO time and its fields", () => {
    const { out, text } = capture();
    const view = createJsonView(out);
    for (const { model, now } of scenario()) view.update(model, now);
    const all = events(text());
    for (const e of all) {
      expect(["run", "step", "task"]).toContain(e.event as string);
      expect(new Date(e.at as string).toISOString()).toBe(e.at as string);
    }
    expect(all[0]).toMatchObject({ event: "run", id: "run-1", name: "ci", status: "running", final: false });
    expect(all[0]!.at).toBe(new Date(T0).toISOString());
    expect(all.find((e) => e.event === "step" && e.status === "skipped")).toMatchObject({
      run: "run-1",
      name: "deploy",
      reason: "manual",
      previous: "pending",
    });
    expect(all.find((e) => e.event === "task" && e.retry === true)).toEqual({
      event: "task",
      at: new Date(T0 + 3500).toISOString(),
      run: "run-1",
      step: "test",
      id: "j1",
      label: "json-node",
      status: "queued",
      previous: "running",
      attempts: 2,
      retry: true,
      error: "exit 1",
      startedAt: new Date(T0 + 2000).toISOString(),
      finishedAt: null,
      durationMs: null,
    });
    expect(all.at(-2)).toMatchObject({ event: "step", name: "deploy" });
  });

  test("the final run object carries the counts", () => {
    const { out, text } = capture();
    const view = createJsonView(out);
    for (const { model, now } of scenario()) view.update(model, now);
    const last = events(text()).at(-1)!;
    expect(last).toMatchObject({ event: "run", status: "succeeded", final: true, durationMs: 6000 });
    expect(last.counts).toMatchObject({
      tasks: { total: 3, succeeded: 3, failed: 0 },
      steps: { total: 3, succeeded: 2, skipped: 1, pending: 0 },
    });
  });

  test("finish adds a final run object once, and later calls write nothing", () => {
    const { out, text } = capture();
    const view = createJsonView(out);
    const model = run([
      step("s", "running", [task("t", { status: "timed_out", attempts: 1, error: "120 s" })]),
    ]);
    view.finish(model, T0 + 1000);
    view.finish(model, T0 + 2000);
    view.update(run([]), T0 + 3000);
    const all = events(text());
    expect(all.map((e) => e.event)).toEqual(["run", "step", "task", "run"]);
    expect(all[2]).toMatchObject({ status: "timed_out", error: "120 s", previous: null });
    expect(all[3]).toMatchObject({ status: "running", final: true, counts: { tasks: { timed_out: 1 } } });
  });
});
