import { describe, expect, test } from "bun:test";
import { openStore, type Store } from "../../../src/core/store/index.ts";
import { storePerTest } from "./helpers.ts";

let store: Store;
storePerTest((s) => {
  store = s;
});

describe("store.events", () => {
  test("append returns the event with a growing id; list gives them back oldest first", () => {
    const a = store.events.append({ at: 1, kind: "worker.added", worker: "c1", task: null, data: {} });
    const b = store.events.append({
      at: 2,
      kind: "task.finished",
      worker: "c1",
      task: "t-1",
      data: { exit: 0, note: "fini ✓ 日本", nested: { list: [1, "two", null, true] } },
    });
    expect(b.id).toBeGreaterThan(a.id);
    store.close();
    store = openStore(store.path);
    expect(store.events.list()).toEqual([a, b]);
  });

  test("append hands back what list will return, not the caller's object", () => {
    const data: Record<string, unknown> = { when: new Date(0), gone: undefined, n: 1 };
    const e = store.events.append({ at: 1, kind: "k", worker: null, task: null, data });
    expect(e.data).toEqual({ when: "1970-01-01T00:00:00.000Z", n: 1 });
    expect(e.data).not.toBe(data);
    expect(store.events.list()).toEqual([e]);
  });

  test("afterId and limit page through the log", () => {
    const ids = Array.from(
      { length: 10 },
      (_, i) => store.events.append({ at: i, kind: "tick", worker: null, task: null, data: { i } }).id,
    );
    expect(store.events.list({ afterId: ids[6] }).map((e) => e.id)).toEqual(ids.slice(7));
    expect(store.events.list({ limit: 3 }).map((e) => e.id)).toEqual(ids.slice(0, 3));
    expect(store.events.list({ afterId: ids[2], limit: 2 }).map((e) => e.id)).toEqual(ids.slice(3, 5));
    expect(store.events.list({ afterId: ids[9] })).toEqual([]);
    expect(store.events.list({ limit: 0 })).toEqual([]);
    expect(() => store.events.list({ limit: -2 })).toThrow("got -2");
  });
});
