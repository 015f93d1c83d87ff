import { describe, expect, test } from "bun:test";
import {
  DEFAULT_PRIORITY,
  PRIORITY,
  PRIORITY_NAMES,
  parsePriority,
  priorityName,
} from "../../../src/core/domain/priority.ts";
import type { TaskPriority } from "../../../src/core/domain/types.ts";

describe("priority", () => {
  test("the seed's numbers", () => {
    expect(PRIORITY).toEqual({ CRITICAL: 1, HIGH: 2, NORMAL: 3, LOW: 4 });
    expect(DEFAULT_PRIORITY).toBe(3);
    expect(PRIORITY_NAMES.join("|")).toBe("critical|high|normal|low");
  });

  test.each([
    ["critical", 1],
    ["high", 2],
    ["normal", 3],
    ["low", 4],
    ["HIGH", 2],
    ["Low", 4],
  ] as const)("parses %s", (name, value) => {
    expect(parsePriority(name)).toEqual({ ok: true, value });
  });

  test.each(["urgent", "", "1", " high", "highest"])("refuses %p", (name) => {
    expect(parsePriority(name)).toEqual({
      ok: false,
      code: "bad_input",
      error: `unknown priority ${JSON.stringify(name)}: expected one of critical, high, normal, low`,
    });
  });

  test("the example error", () => {
    expect(parsePriority("urgent")).toEqual({
      ok: false,
      code: "bad_input",
      error: 'unknown priority "urgent": expected one of critical, high, normal, low',
    });
  });

  test("priorityName round-trips", () => {
    for (const p of [1, 2, 3, 4] as TaskPriority[]) {
      expect(parsePriority(priorityName(p))).toEqual({ ok: true, value: p });
    }
    expect(priorityName(PRIORITY.CRITICAL)).toBe("critical");
    expect(() => priorityName(7 as TaskPriority)).toThrow("priority 7: expected 1, 2, 3 or 4");
  });
});
