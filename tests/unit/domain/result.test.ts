import { describe, expect, test } from "bun:test";
import { errorMessage, fail, OK, ok, type Result } from "../../../src/core/domain/result.ts";

describe("Result", () => {
  test("ok and fail build the two halves; a failure fits a Result of any type", () => {
    expect(ok(2)).toEqual({ ok: true, value: 2 });
    const f = fail("not_found", 'no worker named "w9"');
    expect(f).toEqual({ ok: false, code: "not_found", error: 'no worker named "w9"' });
    const asNumber: Result<number> = f;
    const asText: Result<string> = f;
    expect(asNumber).toBe(asText);
  });

  test("OK is one shared, frozen success without a value", () => {
    expect(OK).toEqual({ ok: true, value: undefined });
    expect(Object.isFrozen(OK)).toBe(true);
  });
});

describe("errorMessage", () => {
  test("an Error gives its message, or its name when the message is empty", () => {
    expect(errorMessage(new Error("disk full"))).toBe("disk full");
    expect(errorMessage(new TypeError(""))).toBe("TypeError");
  });

  test("a string as it is; any other value as JSON, or its String form without one", () => {
    expect(errorMessage("nope")).toBe("nope");
    expect(errorMessage({ code: 7 })).toBe('{"code":7}');
    expect(errorMessage(42)).toBe("42");
    expect(errorMessage(null)).toBe("null");
    expect(errorMessage(undefined)).toBe("undefined");
    expect(errorMessage(Symbol("s"))).toBe("Symbol(s)");
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(errorMessage(loop)).toBe("[object Object]");
  });
});
