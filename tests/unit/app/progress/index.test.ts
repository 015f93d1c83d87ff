import { describe, expect, test } from "bun:test";
import { createProgressView } from "../../../../src/cli/progress/index.ts";
import { capture, run, step, T0, task } from "./fixtures.ts";

const MODEL = run([step("s", "running", [task("t", { status: "running", attempts: 1, startedAt: T0 })])]);

describe("createProgressView", () => {
  test("tty redraws with escapes", () => {
    const { out, text } = capture();
    createProgressView("tty", out).update(MODEL, T0);
    expect(text()).toStartWith("\x1b[?25l\r");
  });

  test("plain writes lines without escapes", () => {
    const { out, text } = capture();
    createProgressView("plain", out).update(MODEL, T0);
    expect(text()).toBe("12:00:00 run ci started (run-1)\n12:00:00 step s started\n12:00:00 s[t] started\n");
  });

  test("json writes JSON Lines", () => {
    const { out, text } = capture();
    createProgressView("json", out).update(MODEL, T0);
    const lines = text().trimEnd().split("\n");
    expect(lines.map((line) => (JSON.parse(line) as { event: string }).event)).toEqual([
      "run",
      "step",
      "task",
    ]);
  });
});
