import { describe, expect, test } from "bun:test";
import type { ProgressRun } from "../../../../src/cli/progress/model.ts";
import { visibleWidth } from "../../../../src/cli/progress/text-fit.ts";
import { renderFrame } from "../../../../src/cli/progress/tty-frame.ts";
import { run, step, T0, task } from "./fixtures.ts";

const SMALL = run([
  step("build", "succeeded", [
    task("a", { status: "succeeded", attempts: 1, startedAt: T0, finishedAt: T0 + 3200 }),
  ]),
  step("test", "running", [
    task("json-node", { status: "running", attempts: 2, startedAt: T0 + 4000 }),
    task("api", {
      status: "failed",
      attempts: 1,
      startedAt: T0 + 4000,
      finishedAt: T0 + 7000,
      error: "exit 1\nat x",
    }),
    task("web"),
    task("cli", { status: "succeeded", attempts: 1, startedAt: T0 + 4000, finishedAt: T0 + 5000 }),
  ]),
  step("deploy", "skipped", [], "tests failed"),
  step("notify", "pending"),
]);

/** 10,000 steps: 9,000 done, 50 running (one running task each), 950 pending. */
function bigRun(): ProgressRun {
  return run(
    Array.from({ length: 10_000 }, (_, i) => {
      if (i < 9000) {
        return step(`s${i}`, "succeeded", [
          task(`t${i}`, { status: "succeeded", startedAt: T0, finishedAt: T0 + 5 }),
        ]);
      }
      if (i < 9050) return step(`s${i}`, "running", [task(`t${i}`, { status: "running", startedAt: T0 })]);
      return step(`s${i}`, "pending");
    }),
  );
}

describe("renderFrame", () => {
  test("shows the header, every step, and running and failed tasks when all fits", () => {
    expect(renderFrame(SMALL, T0 + 12_300, 100, 24)).toEqual([
      "ci  running  12.3 s  [###########.........] 4/7  1 failed",
      "✓ build   [##########] 1/1  1 done  3.2 s",
      "● test    [#####.....] 2/4  1 queued, 1 running, 1 done, 1 failed  8.3 s",
      "    json-node  running  8.3 s  attempt 2",
      "    api  failed  3.0 s  exit 1 at x",
      "⊘ deploy  skipped: tests failed",
      "○ notify  pending",
    ]);
  });

  test("counts a step without tasks as one unit, done once the step is over", () => {
    const frame = renderFrame(run([step("a", "skipped"), step("b", "pending")]), T0, 80, 24);
    expect(frame[0]).toContain("] 1/2");
  });

  test("never has more than rows - 1 lines, nor lines wider than columns - 1", () => {
    for (const model of [SMALL, bigRun()]) {
      for (let rows = 0; rows <= 30; rows++) {
        for (const columns of [1, 2, 10, 40, 80]) {
          const frame = renderFrame(model, T0 + 1000, columns, rows);
          expect(frame.length).toBeLessThanOrEqual(Math.max(0, rows - 1));
          for (const line of frame) expect(visibleWidth(line)).toBeLessThanOrEqual(columns - 1);
        }
      }
    }
  });

  test("collapses 10,000 steps: running steps first, the rest summed up on the last line", () => {
    const frame = renderFrame(bigRun(), T0 + 1000, 80, 24);
    expect(frame).toHaveLength(23);
    expect(frame[0]).toContain("9,000/10,000");
    expect(frame.slice(1, 22).every((line) => line.startsWith("● s90"))).toBe(true);
    expect(frame[22]).toBe("… 9,979 more steps: 29 running, 9,000 done, 950 pending");
  });

  test("shows failed steps after running ones, then the others in order", () => {
    const steps = [
      step("p1", "pending"),
      step("ok", "succeeded"),
      step("bad", "failed"),
      step("go", "running"),
    ];
    const frame = renderFrame(run([...steps, step("p2", "pending")]), T0, 80, 5);
    expect(frame).toHaveLength(4);
    expect(frame[1]).toStartWith("✗ bad ");
    expect(frame[2]).toStartWith("● go ");
    expect(frame[3]).toBe("… 3 more steps: 1 done, 2 pending");
  });

  test("a step with more running tasks than fit lists some and sums up the rest", () => {
    const tasks = Array.from({ length: 50 }, (_, i) =>
      task(`w${i}`, { status: i < 45 ? "running" : "timed_out", startedAt: T0 }),
    );
    const frame = renderFrame(run([step("fan", "running", tasks), step("later", "pending")]), T0, 80, 10);
    expect(frame).toHaveLength(9);
    expect(frame.slice(2, 7)).toEqual([0, 1, 2, 3, 4].map((i) => `    w${i}  running  0.0 s`));
    expect(frame[7]).toBe("    … 45 more tasks: 40 running, 5 failed");
    expect(frame[8]).toBe("○ later  pending");
  });

  test("cuts names on code points and drops escapes from untrusted text", () => {
    const name = `\x1b[2J${"🙂".repeat(60)}`;
    const frame = renderFrame(
      run([step(name, "running", [task("x", { status: "running", label: name })])]),
      T0,
      41,
      24,
    );
    for (const line of frame) {
      expect(line).not.toContain("\x1b");
      expect(line).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
      expect(visibleWidth(line)).toBeLessThanOrEqual(40);
    }
  });

  test("renders a frame of 10,000 steps in a few milliseconds", () => {
    const model = bigRun();
    renderFrame(model, T0, 80, 24);
    const started = performance.now();
    for (let i = 0; i < 10; i++) renderFrame(model, T0 + i, 80, 24);
    expect((performance.now() - started) / 10).toBeLessThan(50);
  });
});
