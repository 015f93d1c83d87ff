import { describe, expect, test } from "bun:test";
import { argvUtf8Error, cmdlineWords, ownArgvUtf8Error } from "../../../src/cli/argv-utf8.ts";

const bytes = (s: string) => Buffer.from(s, "latin1");

describe("argvUtf8Error", () => {
  test("UTF-8 words (U+FFFD typed as such included) pass", () => {
    expect(argvUtf8Error([Buffer.from("send"), Buffer.from("日本 🙂 \ufffd")])).toBeNull();
  });

  test.each([
    ["a\xffb", 1, "FF"],
    ["\xfe", 0, "FE"],
    ["ok\xe6\x97", 2, "E6"],
    ["\xc0\xaf", 0, "C0"],
    ["\xed\xa0\x80", 0, "ED"],
  ])("%p is named with its first bad byte", (word, at, byte) => {
    expect(argvUtf8Error([Buffer.from("send"), bytes(word)])).toBe(
      `argument 2 is not valid UTF-8 (byte 0x${byte} at offset ${at}): orch reads text as UTF-8`,
    );
  });

  test("a bad byte after a valid multibyte character", () => {
    expect(argvUtf8Error([Buffer.concat([Buffer.from("日"), bytes("\xff")])])).toBe(
      "argument 1 is not valid UTF-8 (byte 0xFF at offset 3): orch reads text as UTF-8",
    );
  });
});

describe("cmdlineWords", () => {
  test("NUL-separated, with or without the final NUL, empty words kept", () => {
    const text = (ws: Uint8Array[]) => ws.map((w) => Buffer.from(w).toString());
    expect(text(cmdlineWords(Buffer.from("orch\0send\0\0x\0")))).toEqual(["orch", "send", "", "x"]);
    expect(text(cmdlineWords(Buffer.from("orch\0send")))).toEqual(["orch", "send"]);
  });
});

describe("ownArgvUtf8Error", () => {
  test("does not look at /proc when no word holds U+FFFD", () => {
    expect(ownArgvUtf8Error(["send", "w", "hi"])).toBeNull();
  });

  test("with U+FFFD it reads this process's command line, whose words are UTF-8", () => {
    expect(ownArgvUtf8Error(["\ufffd"])).toBeNull();
  });
});
