import { describe, expect, test } from "bun:test";
import { StreamCleaner } from "../../../src/core/domain/clean-stream.ts";
import { cleanOutput } from "../../../src/core/domain/text.ts";

const SAMPLE =
  "\x1b[?2004h$ echo hi\r\n\x1b[?2004l\rhi\r\n\x1b[31mred\x1b[0m \x1b]0;title\x07done\r\n\x1b(Bplain 日本 🚀\r\nend";

describe("StreamCleaner", () => {
  test("gives what cleanOutput gives on the whole text, however the text is cut in two", () => {
    const whole = cleanOutput(SAMPLE);
    for (let i = 0; i <= SAMPLE.length; i++) {
      const c = new StreamCleaner();
      expect(c.push(SAMPLE.slice(0, i)) + c.push(SAMPLE.slice(i)) + c.flush()).toBe(whole);
    }
  });

  test("fed one character at a time", () => {
    const c = new StreamCleaner();
    let out = "";
    for (const ch of SAMPLE) out += c.push(ch);
    expect(out + c.flush()).toBe(cleanOutput(SAMPLE));
  });

  test("holds a cut escape sequence and a trailing CR until the next chunk", () => {
    const c = new StreamCleaner();
    expect(c.push("red \x1b[3")).toBe("red ");
    expect(c.push("1mtext\r")).toBe("text");
    expect(c.push("\n")).toBe("\n");
  });

  test("a lone ESC far back does not hold the stream", () => {
    const c = new StreamCleaner();
    expect(c.push(`\x1b${"x".repeat(300)}`)).toBe("x".repeat(299));
  });
});
