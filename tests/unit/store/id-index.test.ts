import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import {
  RUN_ID_SHORT_MIN,
  shortestUniquePrefix,
  shortTaskId,
  TASK_ID_SHORT_MIN,
  TASK_ID_WITH_COUNTER,
} from "../../../src/core/domain/id-prefix.ts";
import type { Store } from "../../../src/core/store/index.ts";
import { TEXT_PARAM } from "../../../src/core/store/text-param.ts";
import { makeTask, storePerTest } from "./helpers.ts";

let store: Store;
storePerTest((s) => {
  store = s;
});

const AT = 1_700_000_000_000;
/** Inserts tasks with UUIDv7 ids made at these milliseconds (repeats: the same millisecond). */
const insertAt = (...ms: number[]) =>
  ms.map((m) => store.tasks.insert(makeTask({ id: Bun.randomUUIDv7("hex", AT + m) })).id);
/** The short id the API shows for a task now. */
const short = (id: string, now = Date.now()) => shortTaskId(id, store.tasks.ids.around(id), now);

describe("store.tasks.ids", () => {
  test("short ids of tasks made in the same millisecond are unique in the store", () => {
    const ids = insertAt(0, 0, 0, 5);
    const shown = ids.map((id) => short(id));
    expect(new Set(shown).size).toBe(4);
    for (const [n, s] of shown.entries()) {
      expect(store.tasks.ids.withPrefix(s, 10)).toEqual({ ids: [ids[n]!], total: 1 });
    }
    // the lone task of its millisecond shows its clock only
    expect(shown[3]).toBe(ids[3]!.slice(0, TASK_ID_SHORT_MIN));
    // the same-millisecond ones need more: the first 8 digits were all alike
    expect(new Set(ids.map((id) => id.slice(0, 8))).size).toBe(1);
    for (const s of shown.slice(0, 3)) expect(s.length).toBeGreaterThan(TASK_ID_SHORT_MIN);
  });

  test("what was shown still names one task after more tasks came", () => {
    const first = insertAt(0, 0, 1);
    const shown = first.map((id) => short(id));
    insertAt(...Array.from({ length: 300 }, (_, n) => 2 + (n % 7)));
    for (const [n, s] of shown.entries()) {
      expect(store.tasks.ids.withPrefix(s, 10)).toEqual({ ids: [first[n]!], total: 1 });
    }
  });

  test("the newest task, just made, shows its counter: a task made later in its millisecond cannot take its short id", () => {
    const now = AT + 50;
    const [x] = insertAt(50);
    const shownX = short(x!, now);
    expect(shownX).toBe(x!.slice(0, TASK_ID_WITH_COUNTER));
    // a second later the same task, still the newest, shows just its clock
    expect(short(x!, now + 1001)).toBe(x!.slice(0, TASK_ID_SHORT_MIN));
    // another task in the same millisecond, after x was shown
    const [y] = insertAt(50);
    expect(store.tasks.ids.withPrefix(shownX, 10)).toEqual({ ids: [x!], total: 1 });
    // and x, no longer the newest, needs no more than what tells it from y
    expect(short(x!, now).length).toBeLessThanOrEqual(TASK_ID_WITH_COUNTER);
    expect(store.tasks.ids.withPrefix(short(y!, now), 10)).toEqual({ ids: [y!], total: 1 });
  });

  test("around: the ids just before and after, null at the ends", () => {
    const ids = insertAt(1, 2, 3);
    expect(store.tasks.ids.around(ids[1]!)).toEqual([ids[0]!, ids[2]!]);
    expect(store.tasks.ids.around(ids[0]!)).toEqual([null, ids[1]!]);
    expect(store.tasks.ids.around(ids[2]!)).toEqual([ids[1]!, null]);
  });

  test("withPrefix: in id order, the first `limit`, and how many in all", () => {
    const ids = insertAt(...Array.from({ length: 25 }, () => 0));
    const clock = ids[0]!.slice(0, TASK_ID_SHORT_MIN);
    expect(store.tasks.ids.withPrefix(clock, 10)).toEqual({ ids: [...ids].sort().slice(0, 10), total: 25 });
    expect(store.tasks.ids.withPrefix(clock, 100).total).toBe(25);
    expect(store.tasks.ids.withPrefix("ffff", 10)).toEqual({ ids: [], total: 0 });
    expect(store.tasks.ids.has(ids[3]!)).toBe(true);
    expect(store.tasks.ids.has(clock)).toBe(false);
  });

  test("lookups read the id index, not the table", () => {
    insertAt(0, 1);
    const db = new Database(store.path, { readonly: true });
    const plan = (sql: string, ...params: string[]) =>
      (db.query(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
        .map((p) => p.detail)
        .join(" ");
    const range = plan(
      `SELECT id FROM tasks WHERE id >= ${TEXT_PARAM} AND id < ${TEXT_PARAM} ORDER BY id LIMIT 10`,
      "a",
      "b",
    );
    expect(range).toContain("USING COVERING INDEX");
    expect(range).not.toContain("TEMP B-TREE");
    const before = plan(`SELECT id FROM tasks WHERE id < ${TEXT_PARAM} ORDER BY id DESC LIMIT 1`, "a");
    expect(before).toContain("USING COVERING INDEX");
    db.close();
  });
});

test("store.runs.ids: run ids by prefix, 8 characters shown", () => {
  const run = (id: string) =>
    store.runs.insert(
      { id, name: "n", file: null, workflow: {}, status: "running", startedAt: AT, finishedAt: null },
      [],
    );
  run("3f2a9c10-0000-4000-8000-000000000001");
  run("3f2a9c10-0000-4000-8000-000000000002");
  run("77aa0000-0000-4000-8000-000000000000");
  const shortRun = (id: string) => shortestUniquePrefix(id, store.runs.ids.around(id), RUN_ID_SHORT_MIN);
  expect(shortRun("77aa0000-0000-4000-8000-000000000000")).toBe("77aa0000");
  expect(shortRun("3f2a9c10-0000-4000-8000-000000000002")).toBe("3f2a9c10-0000-4000-8000-000000000002");
  expect(store.runs.ids.withPrefix("3f2a", 10).total).toBe(2);
});
