import { describe, expect, test } from "bun:test";
import type { ProgressRun } from "../../../../src/cli/progress/model.ts";
import { visibleWidth } from "../../../../src/cli/progress/text-fit.ts";
import { createTtyView } from "../../../../src/cli/progress/tty-view.ts";
import { capture, run, step, T0, task } from "./fixtures.ts";

/** A frame write taken apart: optional hide, move up, the lines, clear, optional show. */
function parseWrite(s: string): { hide: boolean; up: number; lines: string[]; show: boolean } {
  const m = /^(\x1b\[\?25l)?(?:\x1b\[(\d+)A)?\r((?:[^\n]*\x1b\[K\n)*)\x1b\[J(\x1b\[\?25h)?$/.exec(s);
  if (m === null) throw new Error(`not a frame write: ${JSON.stringify(s)}`);
  const lines = (m[3] ?? "").split("\x1b[K\n").slice(0, -1);
  return { hide: m[1] !== undefined, up: Number(m[2] ?? 0), lines, show: m[4] !== undefined };
}

/** A run of `steps` running steps, each with one running task: a frame of 1 + 2 * steps lines. */
function growing(steps: number): ProgressRun {
  return run(
    Array.from({ length: steps }, (_, i) =>
      step(`step-${i}`, "running", [task(`t${i}`, { status: "running", startedAt: T0 })]),
    ),
  );
}

describe("createTtyView", () => {
  test("the first frame hides the cursor and does not move up", () => {
    const { out, writes } = capture(80, 24);
    createTtyView(out).update(growing(2), T0 + 1000);
    const frame = parseWrite(writes[0]!);
    expect(frame).toMatchObject({ hide: true, up: 0, show: false });
    expect(frame.lines).toHaveLength(5);
    expect(frame.lines[0]).toStartWith("ci  running  1.0 s");
  });

  test("each redraw moves up exactly the height of the previous frame, and never exceeds rows - 1", () => {
    const { out, writes } = capture(60, 12);
    const view = createTtyView(out);
    const sizes = [1, 3, 8, 2, 0, 30, 5];
    for (const [i, n] of sizes.entries()) view.update(growing(n), T0 + i * 250);
    const frames = writes.map(parseWrite);
    expect(frames).toHaveLength(sizes.length);
    for (let i = 0; i < frames.length; i++) {
      expect(frames[i]!.lines.length).toBeLessThanOrEqual(11);
      expect(frames[i]!.up).toBe(i === 0 ? 0 : frames[i - 1]!.lines.length);
      expect(frames[i]!.hide).toBe(i === 0);
      for (const line of frames[i]!.lines) expect(visibleWidth(line)).toBeLessThanOrEqual(59);
    }
  });

  test("writes nothing when the frame did not change", () => {
    const { out, writes } = capture();
    const view = createTtyView(out);
    view.update(growing(2), T0 + 1000);
    view.update(growing(2), T0 + 1000);
    view.update(growing(2), T0 + 1040); // elapsed still shows 1.0 s
    expect(writes).toHaveLength(1);
  });

  test("finish draws the last frame, shows the cursor, and ignores later calls", () => {
    const { out, writes } = capture();
    const view = createTtyView(out);
    view.update(growing(2), T0 + 1000);
    const done = run(
      [
        step("step-0", "succeeded", [
          task("t0", { status: "succeeded", startedAt: T0, finishedAt: T0 + 900 }),
        ]),
      ],
      {
        status: "succeeded",
        finishedAt: T0 + 1500,
      },
    );
    view.finish(done, T0 + 2000);
    view.update(growing(3), T0 + 3000);
    view.finish(done, T0 + 3000);
    expect(writes).toHaveLength(2);
    const last = parseWrite(writes[1]!);
    expect(last).toMatchObject({ hide: false, up: 5, show: true });
    expect(last.lines[0]).toStartWith("ci  succeeded  1.5 s");
  });

  test("finish after an unchanged frame only shows the cursor", () => {
    const { out, writes } = capture();
    const view = createTtyView(out);
    view.update(growing(1), T0);
    view.finish(growing(1), T0);
    expect(writes.slice(1)).toEqual(["\x1b[?25h"]);
  });

  test("after the terminal narrowed, moves up over the rows the old lines wrap to", () => {
    const { out, writes } = capture(80, 24);
    const view = createTtyView(out);
    view.update(run([step("a-step-with-a-long-name", "pending")]), T0);
    const widths = parseWrite(writes[0]!).lines.map(visibleWidth);
    out.columns = 20;
    view.update(run([step("a-step-with-a-long-name", "pending")]), T0);
    const expected = widths.reduce((sum, w) => sum + Math.max(1, Math.ceil(w / 20)), 0);
    expect(expected).toBeGreaterThan(widths.length);
    expect(parseWrite(writes[1]!).up).toBe(expected);
  });

  test("collapses a run of 10,000 steps to the screen", () => {
    const { out, writes } = capture(100, 30);
    const view = createTtyView(out);
    view.update(growing(10_000), T0);
    const frame = parseWrite(writes[0]!);
    expect(frame.lines).toHaveLength(29);
    expect(frame.lines[28]).toStartWith("… ");
  });
});
