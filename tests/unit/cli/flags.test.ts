import { describe, expect, test } from "bun:test";
import { CliError } from "../../../src/cli/exit-codes.ts";
import { secondsFlag, wholeFlag } from "../../../src/cli/flags.ts";

/** The usage error `fn` throws: its message and exit code. */
function refusal(fn: () => unknown): { message: string; code: number } {
  try {
    fn();
  } catch (e) {
    if (e instanceof CliError) return { message: e.message, code: e.code };
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("secondsFlag", () => {
  test("a positive number of seconds, fractions and exponents allowed; the last one when repeated", () => {
    expect(secondsFlag("2.5", "--timeout")).toBe(2.5);
    expect(secondsFlag("1e1", "--timeout")).toBe(10);
    expect(secondsFlag(" 7 ", "--timeout")).toBe(7);
    expect(secondsFlag(["5", "9"], "--timeout")).toBe(9);
  });

  test.each(["-1", "0", "abc", "", "0x10", "Infinity", "NaN", "1e99", "2073601"])(
    "%p is refused naming flag and value",
    (v) => {
      expect(refusal(() => secondsFlag(v, "--timeout"))).toEqual({
        message: `--timeout ${JSON.stringify(v)}: expected a positive number of seconds (at most 2073600)`,
        code: 2,
      });
    },
  );

  test("a flag without a value says so", () => {
    expect(refusal(() => secondsFlag(true, "--timeout"))).toEqual({
      message: "--timeout needs a value",
      code: 2,
    });
  });
});

describe("wholeFlag", () => {
  test("a whole number in the range", () => {
    expect(wholeFlag("1", "--limit", 1, 100_000)).toBe(1);
    expect(wholeFlag("100000", "--limit", 1, 100_000)).toBe(100_000);
    expect(wholeFlag("0", "--retries", 0, 100)).toBe(0);
  });

  test.each(["0", "100001", "1e99", "abc", "2.5", "-3"])("--limit %p is refused", (v) => {
    expect(refusal(() => wholeFlag(v, "--limit", 1, 100_000)).message).toBe(
      `--limit ${JSON.stringify(v)}: expected a whole number from 1 to 100000`,
    );
  });
});
