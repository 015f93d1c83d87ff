import { describe, expect, test } from "bun:test";
import {
  NEWEST_TASK_OPEN_MS,
  parseIdPrefix,
  prefixEnd,
  shortestUniquePrefix,
  shortTaskId,
  TASK_ID_SHORT_MIN,
  TASK_ID_WITH_COUNTER,
  uuidv7Millis,
} from "../../../src/core/domain/id-prefix.ts";

/** Unique prefixes of each of `ids` among all of them, by sorted neighbours (as the store does). */
function shortForms(ids: string[], min: number): string[] {
  const sorted = [...ids].sort();
  return ids.map((id) => {
    const at = sorted.indexOf(id);
    return shortestUniquePrefix(id, [sorted[at - 1] ?? null, sorted[at + 1] ?? null], min);
  });
}

describe("parseIdPrefix: what someone typed, as the start of a stored id", () => {
  test("any case, with or without dashes, gives the id's own text", () => {
    expect(parseIdPrefix("01A235758E837457", "task")).toEqual({ ok: true, value: "01a23575-8e83-7457" });
    expect(parseIdPrefix("01a23575-8e83", "task")).toEqual({ ok: true, value: "01a23575-8e83" });
    expect(parseIdPrefix("01a2", "task")).toEqual({ ok: true, value: "01a2" });
    expect(parseIdPrefix("01a23575", "task")).toEqual({ ok: true, value: "01a23575" });
    expect(parseIdPrefix("01a235758", "task")).toEqual({ ok: true, value: "01a23575-8" });
    const whole = "01a23575-8e83-7457-b509-c58cd8947b0c";
    expect(parseIdPrefix(whole.toUpperCase().replaceAll("-", ""), "task")).toEqual({
      ok: true,
      value: whole,
    });
  });

  test("refuses what is not a prefix of an id, naming the value", () => {
    expect(parseIdPrefix("01a", "task")).toEqual({
      ok: false,
      code: "bad_input",
      error: 'task id "01a": expected at least 4 hex digits (0-9, a-f; dashes allowed)',
    });
    expect(parseIdPrefix("--01-a-", "run")).toMatchObject({
      ok: false,
      error: expect.stringContaining('run id "--01-a-"'),
    });
    expect(parseIdPrefix("01g23575", "task")).toEqual({
      ok: false,
      code: "bad_input",
      error: 'task id "01g23575": expected hex digits (0-9, a-f) and dashes only',
    });
    expect(parseIdPrefix("last one", "run").ok).toBe(false);
    expect(parseIdPrefix("0".repeat(33), "task")).toMatchObject({
      ok: false,
      error: expect.stringContaining("at most 32"),
    });
  });
});

test("prefixEnd: the first text after all that start with the prefix", () => {
  expect(prefixEnd("01a9")).toBe("01a:");
  expect(prefixEnd("01af")).toBe("01ag");
  expect(prefixEnd("01a2-")).toBe("01a2.");
  for (const id of ["01a9", "01a9-0000", "01a9ffff", "01a9-ffff-ffff"])
    expect(id < prefixEnd("01a9")).toBe(true);
  expect("01b0" < prefixEnd("01a9")).toBe(false);
});

describe("shortestUniquePrefix: what tables show", () => {
  test("ids made in the same millisecond get told apart past the clock", () => {
    const at = 1_700_000_000_000;
    const ids = [Bun.randomUUIDv7("hex", at), Bun.randomUUIDv7("hex", at), Bun.randomUUIDv7("hex", at)];
    // the first 8 hex digits (what tables showed before) are the same for all three
    expect(new Set(ids.map((id) => id.slice(0, 8))).size).toBe(1);
    const shown = shortForms(ids, TASK_ID_SHORT_MIN);
    expect(new Set(shown).size).toBe(3);
    for (const [n, s] of shown.entries()) {
      expect(ids[n]!.startsWith(s)).toBe(true);
      expect(s.length).toBeGreaterThan(TASK_ID_SHORT_MIN);
      expect(s.endsWith("-")).toBe(false);
      // no other id starts with it
      expect(ids.filter((id) => id.startsWith(s))).toEqual([ids[n]!]);
    }
  });

  test("ids of other milliseconds show their whole clock and no more", () => {
    const ids = [1, 2, 3].map((ms) => Bun.randomUUIDv7("hex", 1_700_000_000_000 + ms));
    const shown = shortForms(ids, TASK_ID_SHORT_MIN);
    expect(shown).toEqual(ids.map((id) => id.slice(0, TASK_ID_SHORT_MIN)));
    expect(shown[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}$/);
  });

  test("stays unique as more ids come: later ids never start with what was shown", () => {
    const at = 1_700_000_000_000;
    const first = [Bun.randomUUIDv7("hex", at), Bun.randomUUIDv7("hex", at), Bun.randomUUIDv7("hex", at + 1)];
    const shown = shortForms(first, TASK_ID_SHORT_MIN);
    const later = Array.from({ length: 200 }, (_, n) => Bun.randomUUIDv7("hex", at + 2 + (n % 5)));
    for (const s of shown) expect([...first, ...later].filter((id) => id.startsWith(s))).toHaveLength(1);
  });

  test("a minimum, never a dash at the end, never more than the id", () => {
    const id = "01a23575-8e83-7457-b509-c58cd8947b0c";
    expect(shortestUniquePrefix(id, [null, null], 8)).toBe("01a23575");
    // sharing the first 8 characters: the 9th is a dash, so one more
    expect(shortestUniquePrefix(id, ["01a23575-0000-7000-8000-000000000000"], 8)).toBe("01a23575-8");
    expect(shortestUniquePrefix(id, [id, null], 13)).toBe("01a23575-8e83");
    expect(shortestUniquePrefix("abcd", ["abcd"], 2)).toBe("ab");
    expect(shortestUniquePrefix("abcd", ["abcde"], 2)).toBe("abcd");
  });
});

describe("shortTaskId: the newest task in its first second shows its counter", () => {
  const at = 1_700_000_000_000;
  test("uuidv7Millis reads the clock of a UUIDv7 and nothing else", () => {
    expect(uuidv7Millis(Bun.randomUUIDv7("hex", at))).toBe(at);
    expect(uuidv7Millis("2f412f3d-c67f-413b-94d1-652943bae8d2")).toBeNull();
    expect(uuidv7Millis("t1")).toBeNull();
  });

  test("newest and recent: clock, version and counter; otherwise the clock", () => {
    const id = Bun.randomUUIDv7("hex", at);
    const later = Bun.randomUUIDv7("hex", at + 5);
    expect(shortTaskId(id, [null, null], at)).toBe(id.slice(0, TASK_ID_WITH_COUNTER));
    expect(shortTaskId(id, [null, null], at + NEWEST_TASK_OPEN_MS)).toBe(id.slice(0, TASK_ID_WITH_COUNTER));
    expect(shortTaskId(id, [null, null], at + NEWEST_TASK_OPEN_MS + 1)).toBe(id.slice(0, TASK_ID_SHORT_MIN));
    // not the newest: a later task sorts after `later`, so shares less with `id`
    expect(shortTaskId(id, [null, later], at)).toBe(id.slice(0, TASK_ID_SHORT_MIN));
    // a UUIDv4 has no clock to wait out
    const v4 = "2f412f3d-c67f-413b-94d1-652943bae8d2";
    expect(shortTaskId(v4, [null, null], at)).toBe("2f412f3d-c67f");
  });

  test("every task of a busy millisecond, shown the moment it is made, stays unique as the rest come", () => {
    const made: string[] = [];
    const shown: string[] = [];
    for (let n = 0; n < 50; n++) {
      made.push(Bun.randomUUIDv7("hex", at + Math.floor(n / 10)));
      const sorted = [...made].sort();
      const i = sorted.indexOf(made[n]!);
      shown.push(
        shortTaskId(made[n]!, [sorted[i - 1] ?? null, sorted[i + 1] ?? null], at + Math.floor(n / 10)),
      );
    }
    for (const [n, s] of shown.entries()) expect(made.filter((id) => id.startsWith(s))).toEqual([made[n]!]);
  });
});
