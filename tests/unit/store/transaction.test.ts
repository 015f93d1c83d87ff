import { describe, expect, test } from "bun:test";
import { openStore, type Store } from "../../../src/core/store/index.ts";
import { makeTask, makeWorker, storePerTest } from "./helpers.ts";

let store: Store;
storePerTest((s) => {
  store = s;
});

describe("store.transaction", () => {
  test("commits all writes together and returns fn's value", () => {
    const t = store.tasks.insert(makeTask());
    store.workers.insert(makeWorker());
    const out = store.transaction(() => {
      store.tasks.update(t.id, { status: "succeeded", exitCode: 0, finishedAt: 5 });
      store.workers.update("c1", { state: "idle", currentTask: null });
      return store.events.append({ at: 5, kind: "task.finished", worker: "c1", task: t.id, data: {} }).id;
    });
    expect(out).toBeGreaterThan(0);
    store.close();
    store = openStore(store.path);
    expect(store.tasks.get(t.id)?.status).toBe("succeeded");
    expect(store.events.list()).toHaveLength(1);
  });

  test("rolls everything back when fn throws, and rethrows", () => {
    const t = store.tasks.insert(makeTask());
    expect(() =>
      store.transaction(() => {
        store.tasks.update(t.id, { status: "running" });
        store.events.append({ at: 1, kind: "x", worker: null, task: null, data: {} });
        throw new Error("nope");
      }),
    ).toThrow("nope");
    expect(store.tasks.get(t.id)?.status).toBe("queued");
    expect(store.events.list()).toEqual([]);
  });

  test("a nested transaction is a savepoint: its failure alone can be caught", () => {
    const t = store.tasks.insert(makeTask());
    store.transaction(() => {
      store.tasks.update(t.id, { attempts: 1 });
      try {
        store.transaction(() => {
          store.tasks.update(t.id, { status: "failed" });
          throw new Error("inner");
        });
      } catch {}
    });
    expect(store.tasks.get(t.id)).toMatchObject({ attempts: 1, status: "queued" });
  });

  test("an async fn is refused and its synchronous writes rolled back", () => {
    const t = store.tasks.insert(makeTask());
    expect(() =>
      store.transaction(async () => {
        store.tasks.update(t.id, { status: "running" });
      }),
    ).toThrow("must be synchronous");
    expect(store.tasks.get(t.id)?.status).toBe("queued");
  });
});
