import { describe, expect, test } from "bun:test";
import { progressBar } from "../../../../src/cli/progress/bar.ts";
import { formatClock, formatCount, formatDuration, plural } from "../../../../src/cli/progress/format.ts";

describe("formatDuration", () => {
  test("tenths under a minute, then minutes and seconds, then hours and minutes", () => {
    expect(formatDuration(1234)).toBe("1.2 s");
    expect(formatDuration(59_960)).toBe("1 min 00 s");
    expect(formatDuration(65_000)).toBe("1 min 05 s");
    expect(formatDuration(3_723_000)).toBe("1 h 02 min");
  });

  test("negative and non-finite durations show as zero", () => {
    expect(formatDuration(-5)).toBe("0.0 s");
    expect(formatDuration(Number.NaN)).toBe("0.0 s");
  });
});

describe("formatClock, formatCount, plural", () => {
  test("local HH:MM:SS", () => {
    expect(formatClock(new Date(2025, 0, 1, 9, 5, 3).getTime())).toBe("09:05:03");
  });

  test("thousands separators and plurals", () => {
    expect(formatCount(9950)).toBe("9,950");
    expect(plural(1, "step")).toBe("1 step");
    expect(plural(10_000, "step")).toBe("10,000 steps");
  });
});

describe("progressBar", () => {
  test("fills in proportion, rounding down", () => {
    expect(progressBar(12, 40, 10)).toBe("[###.......]");
    expect(progressBar(39, 40, 10)).toBe("[#########.]");
    expect(progressBar(40, 40, 10)).toBe("[##########]");
  });

  test("an empty total is full, out-of-range counts are clamped", () => {
    expect(progressBar(0, 0, 4)).toBe("[####]");
    expect(progressBar(50, 40, 4)).toBe("[####]");
    expect(progressBar(-1, 40, 4)).toBe("[....]");
  });
});
