import { describe, expect, test } from "bun:test";
import type { Worker } from "../../../src/core/domain/types.ts";
import { openStore, type Store, StoreConflictError } from "../../../src/core/store/index.ts";
import { makeWorker, storePerTest } from "./helpers.ts";

let store: Store;
storePerTest((s) => {
  store = s;
});

/** Reopen the file, so a round trip goes through the disk and not a cache. */
function reopen(): Store {
  store.close();
  store = openStore(store.path);
  return store;
}

describe("store.workers", () => {
  test("round-trips every field, set", () => {
    const w: Worker = {
      id: crypto.randomUUID(),
      name: "claude-ü.1_x",
      type: "claude",
      project: "/home/me/projets/café ☕/app",
      worktree: "/home/me/.local/state/orch/worktrees/claude-ü.1_x",
      state: "error",
      paneId: "%12",
      currentTask: crypto.randomUUID(),
      restarts: 7,
      createdAt: 1_735_689_600_123,
      host: "local",
      error: "pane died: exit 137 — «killed»",
    };
    store.workers.insert(w);
    expect(reopen().workers.get(w.name)).toEqual(w);
    expect(store.workers.getById(w.id)).toEqual(w);
  });

  test("round-trips every nullable field as null", () => {
    const w = makeWorker({ paneId: null, currentTask: null, error: null, state: "dead" });
    store.workers.insert(w);
    expect(reopen().workers.get(w.name)).toEqual(w);
  });

  test("get and getById give null for an unknown worker", () => {
    expect(store.workers.get("nope")).toBeNull();
    expect(store.workers.getById("nope")).toBeNull();
  });

  test("every state is accepted; an unknown one is refused", () => {
    for (const state of ["idle", "running", "waiting_input", "error", "dead"] as const) {
      store.workers.insert(makeWorker({ name: `w-${state}`, state }));
      expect(store.workers.get(`w-${state}`)?.state).toBe(state);
    }
    expect(() =>
      store.workers.insert(makeWorker({ name: "bad", state: "sleeping" as Worker["state"] })),
    ).toThrow();
  });

  test("list is ordered by createdAt, then insertion", () => {
    store.workers.insert(makeWorker({ name: "late", createdAt: 300 }));
    store.workers.insert(makeWorker({ name: "early", createdAt: 100 }));
    store.workers.insert(makeWorker({ name: "mid-a", createdAt: 200 }));
    store.workers.insert(makeWorker({ name: "mid-b", createdAt: 200 }));
    expect(store.workers.list().map((w) => w.name)).toEqual(["early", "mid-a", "mid-b", "late"]);
  });

  test("update changes only the given fields, persists, and returns the worker", () => {
    const w = makeWorker();
    store.workers.insert(w);
    const after = store.workers.update("c1", { state: "running", currentTask: "t-1", restarts: 2 });
    const expected: Worker = { ...w, state: "running", currentTask: "t-1", restarts: 2 };
    expect(after).toEqual(expected);
    expect(reopen().workers.get("c1")).toEqual(expected);
  });

  test("update with null clears a field; undefined leaves it", () => {
    store.workers.insert(makeWorker({ paneId: "%1", error: "boom" }));
    const after = store.workers.update("c1", { paneId: null, error: undefined });
    expect(after?.paneId).toBeNull();
    expect(after?.error).toBe("boom");
  });

  test("update of every patchable field", () => {
    store.workers.insert(makeWorker());
    const patch = {
      type: "gpt",
      project: "/other",
      worktree: "/other",
      state: "waiting_input",
      paneId: "%9",
      currentTask: "t",
      restarts: 1,
      createdAt: 5,
      error: "e",
    } as const;
    expect(store.workers.update("c1", patch)).toMatchObject(patch);
  });

  test("an empty patch changes nothing and returns the worker", () => {
    const w = makeWorker();
    store.workers.insert(w);
    expect(store.workers.update("c1", {})).toEqual(w);
  });

  test("update of an unknown worker returns null", () => {
    expect(store.workers.update("ghost", { state: "idle" })).toBeNull();
    expect(store.workers.update("ghost", {})).toBeNull();
  });

  test("beginTask and endTask: running with the task, then idle, and never over a later state", () => {
    store.workers.insert(makeWorker());
    store.workers.beginTask("c1", "t1");
    expect(store.workers.get("c1")).toMatchObject({ state: "running", currentTask: "t1" });
    store.workers.endTask("c1", "t0"); // not the task it is running: nothing changes
    expect(store.workers.get("c1")).toMatchObject({ state: "running", currentTask: "t1" });
    store.workers.endTask("c1", "t1");
    expect(reopen().workers.get("c1")).toMatchObject({ state: "idle", currentTask: null });
    store.workers.beginTask("c1", "t2");
    store.workers.update("c1", { state: "dead", error: "agent exited" });
    store.workers.endTask("c1", "t2"); // dead since: stays dead
    expect(store.workers.get("c1")).toMatchObject({ state: "dead", currentTask: "t2" });
    store.workers.endTask("ghost", "t2"); // an unknown worker: no error
  });

  test("update refuses fields that cannot change", () => {
    store.workers.insert(makeWorker());
    expect(() => store.workers.update("c1", { name: "c2" } as never)).toThrow("workers.name");
    expect(() => store.workers.update("c1", { id: "x" } as never)).toThrow("workers.id");
    expect(() => store.workers.update("c1", { colour: "red" } as never)).toThrow("workers.colour");
  });

  test("a taken name or id is a StoreConflictError that says which", () => {
    const w = makeWorker();
    store.workers.insert(w);
    expect(() => store.workers.insert(makeWorker({ name: "c1" }))).toThrow(StoreConflictError);
    expect(() => store.workers.insert(makeWorker({ name: "c1" }))).toThrow(
      'a worker named "c1" already exists',
    );
    expect(() => store.workers.insert(makeWorker({ id: w.id, name: "c2" }))).toThrow(
      `a worker with id ${w.id} already exists`,
    );
  });

  test("remove deletes and says whether there was one", () => {
    store.workers.insert(makeWorker());
    expect(store.workers.remove("c1")).toBe(true);
    expect(store.workers.get("c1")).toBeNull();
    expect(store.workers.remove("c1")).toBe(false);
    store.workers.insert(makeWorker()); // the name is free again
    expect(store.workers.list()).toHaveLength(1);
  });

  test("insert keeps no reference to the caller's object", () => {
    const w = makeWorker();
    store.workers.insert(w);
    w.state = "dead";
    expect(store.workers.get("c1")?.state).toBe("idle");
  });
});
