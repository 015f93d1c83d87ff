import { describe, expect, test } from "bun:test";
import { cutToWidth, oneLine, visibleWidth } from "../../../../src/cli/progress/text-fit.ts";

describe("oneLine", () => {
  test("removes escapes and turns control characters and white space runs into one space", () => {
    expect(oneLine("\x1b[31mexit 1\x1b[0m\r\n  at main\t(x.ts)\x07")).toBe("exit 1 at main (x.ts)");
  });

  test("replaces lone surrogates and keeps pairs", () => {
    expect(oneLine("a\ud83db🙂")).toBe("a\ufffdb🙂");
  });

  test("looks only at the start of a huge value", () => {
    expect(oneLine("x".repeat(1_000_000)).length).toBe(4096);
  });
});

describe("visibleWidth", () => {
  test("counts wide characters as 2 and combining marks as 0", () => {
    expect(visibleWidth("ab")).toBe(2);
    expect(visibleWidth("日本")).toBe(4);
    expect(visibleWidth("🚀")).toBe(2);
    expect(visibleWidth("e\u0301")).toBe(1);
  });
});

describe("cutToWidth", () => {
  test("keeps text that fits and cuts the rest with an ellipsis", () => {
    expect(cutToWidth("hello", 5)).toBe("hello");
    expect(cutToWidth("hello world", 8)).toBe("hello w…");
    expect(cutToWidth("hello", 0)).toBe("");
    expect(cutToWidth("hello", 1)).toBe("…");
  });

  test("never splits a surrogate pair or a wide character", () => {
    const s = "🙂".repeat(10);
    for (let max = 1; max <= 22; max++) {
      const cut = cutToWidth(s, max);
      expect(visibleWidth(cut)).toBeLessThanOrEqual(max);
      expect(cut.replace(/🙂|…/g, "")).toBe("");
    }
    expect(cutToWidth("日本語", 4)).toBe("日…");
  });
});
