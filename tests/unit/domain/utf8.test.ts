import { describe, expect, test } from "bun:test";
import { utf8ByteLength } from "../../../src/core/domain/utf8.ts";

describe("utf8ByteLength", () => {
  test.each([
    ["", 0],
    ["abc", 3],
    ["é", 2],
    ["日本", 6],
    ["🙂", 4],
    ["👩\u200d💻", 11],
    ["\ud800", 3],
    ["\udc00x", 4],
    ["\u0000\u007f\u0080\u07ff\u0800\uffff", 1 + 1 + 2 + 2 + 3 + 3],
  ])("%p is %d bytes", (text, bytes) => {
    expect(utf8ByteLength(text)).toBe(bytes);
  });

  test("agrees with TextEncoder on random strings", () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 500; i++) {
      let s = "";
      for (let j = 0; j < 50; j++) s += String.fromCharCode(Math.floor(random() * 0x10000));
      expect(utf8ByteLength(s)).toBe(new TextEncoder().encode(s).length);
    }
  });
});
