import { describe, expect, test } from "bun:test";
import { createPlainView } from "../../../../src/cli/progress/plain-view.ts";
import { capture, run, scenario, step, T0, task } from "./fixtures.ts";

/** The lines one call added, or [] when it wrote nothing. */
function linesOf(writes: string[], before: number): string[] {
  return writes.slice(before).join("").split("\n").filter(Boolean);
}

describe("createPlainView", () => {
  test("prints exactly one line per change, and nothing when nothing changed", () => {
    const { out, writes } = capture();
    const view = createPlainView(out);
    for (const { model, now, changes } of scenario()) {
      const before = writes.length;
      view.update(model, now);
      expect(linesOf(writes, before)).toHaveLength(changes);
      if (changes === 0) expect(writes).toHaveLength(before);
    }
  });

  test("says what changed, stamped with the local time, without escapes", () => {
    const { out, text } = capture();
    const view = createPlainView(out);
    for (const { model, now } of scenario()) view.update(model, now);
    expect(text().split("\n").filter(Boolean)).toEqual([
      "12:00:00 run ci started (run-1)",
      "12:00:00 step build started",
      "12:00:00 build started",
      "12:00:02 build succeeded in 1.2 s",
      "12:00:02 step build succeeded in 1.2 s (1 task: 1 done)",
      "12:00:02 step test started",
      "12:00:03 test[json-node] started",
      "12:00:03 test[json-node] retrying (attempt 2) after: exit 1",
      "12:00:03 test[web] started",
      "12:00:04 test[json-node] started (attempt 2)",
      "12:00:04 test[web] succeeded in 1.0 s",
      "12:00:06 test[json-node] succeeded in 1.0 s (attempt 2)",
      "12:00:06 step test succeeded in 2.0 s (2 tasks: 2 done)",
      "12:00:06 step deploy skipped: manual",
      "12:00:06 run ci succeeded after 6.0 s: 3 steps (2 succeeded, 1 skipped), 3 tasks (3 succeeded)",
    ]);
    expect(text()).not.toContain("\x1b");
  });

  test("keeps untrusted text on one line", () => {
    const { out, text } = capture();
    const failed = task("t", {
      label: "x\ny",
      status: "failed",
      attempts: 1,
      error: "boom\n\x1b[31mstack\x1b[0m",
    });
    createPlainView(out).update(run([step("s", "running", [failed])]), T0);
    expect(text()).toBe(
      "12:00:00 run ci started (run-1)\n12:00:00 step s started\n12:00:00 s[x y] failed: boom stack\n",
    );
  });

  test("finish ends with a summary even while the run is still going, and only once", () => {
    const { out, writes } = capture();
    const view = createPlainView(out);
    const model = run([step("s", "running", [task("t", { status: "running", attempts: 1, startedAt: T0 })])]);
    view.update(model, T0);
    const before = writes.length;
    view.finish(model, T0 + 2000);
    view.finish(model, T0 + 3000);
    view.update(run([step("s", "failed")], { status: "failed" }), T0 + 4000);
    expect(linesOf(writes, before)).toEqual([
      "12:00:02 run ci still running after 2.0 s: 1 step (1 running), 1 task (1 running)",
    ]);
  });
});
