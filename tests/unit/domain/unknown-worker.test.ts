import { describe, expect, test } from "bun:test";
import { unknownWorkerMessage } from "../../../src/core/domain/unknown-worker.ts";

describe("unknownWorkerMessage", () => {
  test("no workers, and a few: all named", () => {
    expect(unknownWorkerMessage("x", [])).toBe('unknown worker "x" (no workers yet)');
    expect(unknownWorkerMessage("x", ["a", "b"])).toBe('unknown worker "x" (workers: a, b)');
    const ten = Array.from({ length: 10 }, (_, i) => `w${i}`);
    expect(unknownWorkerMessage("x", ten)).toBe(`unknown worker "x" (workers: ${ten.join(", ")})`);
  });

  test("more than 10: the first 10 and a count", () => {
    const names = Array.from({ length: 64 }, (_, i) => `w${i + 1}`);
    expect(unknownWorkerMessage("x y", names)).toBe(
      'unknown worker "x y" (workers: w1, w2, w3, w4, w5, w6, w7, w8, w9, w10 and 54 more; orch status lists them)',
    );
  });
});
