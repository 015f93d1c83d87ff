import { describe, expect, test } from "bun:test";
import { AMBIGUOUS_SHOWN, idKeyProblem, resolveIdKey } from "../../../src/core/controller/id-keys.ts";
import type { IdIndex } from "../../../src/core/store/index.ts";

/** An IdIndex over a plain list, the way the store answers. */
function index(all: string[]): IdIndex {
  const sorted = [...all].sort();
  return {
    has: (id) => sorted.includes(id),
    withPrefix(prefix, limit) {
      const m = sorted.filter((id) => id.startsWith(prefix));
      return { ids: m.slice(0, limit), total: m.length };
    },
    around: () => [null, null],
  };
}

const AT = 1_700_000_000_000;
const sameMs = Array.from({ length: 3 }, () => Bun.randomUUIDv7("hex", AT));

describe("resolveIdKey: the id a typed key stands for", () => {
  test("a whole id, a prefix, any case, with or without dashes", () => {
    const ids = index([...sameMs, Bun.randomUUIDv7("hex", AT + 1)]);
    const id = sameMs[1]!;
    expect(resolveIdKey(ids, id, "task", "orch results")).toEqual({ ok: true, value: id });
    expect(resolveIdKey(ids, id.slice(0, 18), "task", "orch results")).toEqual({ ok: true, value: id });
    expect(
      resolveIdKey(ids, id.slice(0, 18).replaceAll("-", "").toUpperCase(), "task", "orch results"),
    ).toEqual({
      ok: true,
      value: id,
    });
  });

  test("an id stored in another form still resolves as it is", () => {
    expect(resolveIdKey(index(["t1"]), "t1", "task", "orch results")).toEqual({ ok: true, value: "t1" });
  });

  test("ambiguous: bad input naming every match (up to 10, then how many more)", () => {
    const clock = sameMs[0]!.slice(0, 13);
    const r = resolveIdKey(index(sameMs), clock, "task", "orch results");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe("bad_input");
    expect(r.error.message).toContain(`task "${clock}" is ambiguous: 3 tasks start with it`);
    for (const id of sameMs) expect(r.error.message).toContain(id);
    expect(idKeyProblem(r)).toEqual({
      error: r.error.message,
      code: "ambiguous",
      matches: [...sameMs].sort(),
      matchCount: 3,
    });

    const many = Array.from({ length: 14 }, () => Bun.randomUUIDv7("hex", AT + 7));
    const r2 = resolveIdKey(index(many), many[0]!.slice(0, 8), "task", "orch results");
    expect(r2.ok).toBe(false);
    if (r2.ok) return;
    expect(r2.error.ambiguous?.matches).toHaveLength(AMBIGUOUS_SHOWN);
    expect(r2.error.message).toContain("14 tasks start with it");
    expect(r2.error.message).toContain("and 4 more");
  });

  test("unknown: not found, naming the key and where the ids are listed", () => {
    expect(resolveIdKey(index(sameMs), "0000", "task", "orch results")).toEqual({
      ok: false,
      code: "not_found",
      error: { message: 'unknown task "0000" (orch results lists them)' },
    });
    expect(idKeyProblem({ ok: false, code: "not_found", error: { message: "x" } })).toEqual({
      error: "x",
      code: "not_found",
    });
  });

  test("not an id prefix: bad input naming the value", () => {
    const r = resolveIdKey(index(sameMs), "01;rm", "run", "orch runs");
    expect(r).toEqual({
      ok: false,
      code: "bad_input",
      error: { message: 'run id "01;rm": expected hex digits (0-9, a-f) and dashes only' },
    });
    expect(resolveIdKey(index(sameMs), "abc", "task", "orch results")).toMatchObject({
      ok: false,
      code: "bad_input",
    });
  });
});
