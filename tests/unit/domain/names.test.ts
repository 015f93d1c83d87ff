import { describe, expect, test } from "bun:test";
import {
  lineControlCharacter,
  validateTaskText,
  validateWorkerName,
} from "../../../src/core/domain/names.ts";

describe("validateWorkerName", () => {
  test.each(["c1", "a", "A", "9", "claude.api-2_x", "x".repeat(63)])("accepts %p", (name) => {
    expect(validateWorkerName(name)).toEqual({ ok: true, value: undefined });
  });

  test.each(["", "a b", "-a", ".a", "_a", "x".repeat(64), "é", "a/b", "a:b", "a\n", "w%1"])(
    "refuses %p",
    (name) => {
      expect(validateWorkerName(name)).toEqual({
        ok: false,
        code: "bad_input",
        error: `bad worker name ${JSON.stringify(name)}: use letters, digits, '.', '_' or '-' (at most 63), starting with a letter or digit`,
      });
    },
  );

  test("the example error", () => {
    expect(validateWorkerName("a b")).toEqual({
      ok: false,
      code: "bad_input",
      error: `bad worker name "a b": use letters, digits, '.', '_' or '-' (at most 63), starting with a letter or digit`,
    });
  });
});

describe("validateTaskText", () => {
  const MAX = 1_048_576;

  test.each(["make test", "a\tb", "line 1\nline 2", "echo hi\r\n", "日本語 🙂", " x "])(
    "accepts %p",
    (text) => {
      expect(validateTaskText(text, MAX)).toEqual({ ok: true, value: undefined });
    },
  );

  test.each(["", " ", "\n\t \r\n", "\u3000"])("refuses blank %p", (text) => {
    expect(validateTaskText(text, MAX)).toEqual({
      ok: false,
      code: "bad_input",
      error: "task text is empty or only whitespace: expected something to do",
    });
  });

  test("NUL", () => {
    expect(validateTaskText("hello\0world", MAX)).toEqual({
      ok: false,
      code: "bad_input",
      error: "task text contains a NUL byte at offset 5",
    });
  });

  test.each([
    ["abc\x1b[A", "001B", 3],
    ["\x03", "0003", 0],
    ["a\x7f", "007F", 1],
    ["x\x0b", "000B", 1],
    ["x\x0c", "000C", 1],
    ["ok\x1f", "001F", 2],
    ["c1\u009b31m", "009B", 2],
  ])("control character in %p", (text, code, offset) => {
    expect(validateTaskText(text, MAX)).toEqual({
      ok: false,
      code: "bad_input",
      error: `task text contains control character U+${code} at offset ${offset}: terminal control sequences are not delivered`,
    });
  });

  test.each([
    ["a\ud800b", "D800", 1],
    ["\udfff", "DFFF", 0],
    ["ok \ud83d", "D83D", 3],
    ["\ude00\ud83d", "DE00", 0],
    ["🙂\udc00", "DC00", 2],
  ])("lone surrogate in %p", (text, code, offset) => {
    expect(validateTaskText(text, MAX)).toEqual({
      ok: false,
      code: "bad_input",
      error: `task text contains a lone surrogate U+${code} at offset ${offset}: expected well-formed Unicode (it has no UTF-8 form)`,
    });
  });

  test("a surrogate pair is well-formed", () => {
    expect(validateTaskText("\ud83d\ude00 done", MAX)).toEqual({ ok: true, value: undefined });
  });

  test("the first bad character is reported", () => {
    const result = validateTaskText("a\x1bb\0", MAX);
    expect(result).toEqual({
      ok: false,
      code: "bad_input",
      error:
        "task text contains control character U+001B at offset 1: terminal control sequences are not delivered",
    });
  });

  test("size limit counts UTF-8 bytes", () => {
    expect(validateTaskText("abcd", 4)).toEqual({ ok: true, value: undefined });
    expect(validateTaskText("abcde", 4)).toEqual({
      ok: false,
      code: "bad_input",
      error: "task text is 5 bytes: expected at most 4 bytes (UTF-8)",
    });
    expect(validateTaskText("日本", 5)).toEqual({
      ok: false,
      code: "bad_input",
      error: "task text is 6 bytes: expected at most 5 bytes (UTF-8)",
    });
    expect(validateTaskText("x".repeat(MAX), MAX)).toEqual({ ok: true, value: undefined });
    expect(validateTaskText("x".repeat(MAX + 1), MAX)).toEqual({
      ok: false,
      code: "bad_input",
      error: `task text is ${MAX + 1} bytes: expected at most ${MAX} bytes (UTF-8)`,
    });
  });

  test("a bad maxBytes is a bug", () => {
    expect(() => validateTaskText("x", 0)).toThrow("maxBytes=0: expected a positive whole number of bytes");
  });
});

test("lineControlCharacter names the first control character of a one-line value, LF and TAB included", () => {
  expect(lineControlCharacter("/srv/a\x1b]52;")).toBe("control character U+001B at offset 6");
  expect(lineControlCharacter("a\tb")).toBe("control character U+0009 at offset 1");
  expect(lineControlCharacter("plain 日本 🙂")).toBeNull();
});
