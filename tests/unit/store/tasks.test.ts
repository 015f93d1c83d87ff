import { describe, expect, test } from "bun:test";
import type { Task, TaskStatus } from "../../../src/core/domain/types.ts";
import { openStore, type Store, StoreConflictError } from "../../../src/core/store/index.ts";
import { TEXT_PARAM } from "../../../src/core/store/text-param.ts";
import { makeTask, storePerTest } from "./helpers.ts";

let store: Store;
storePerTest((s) => {
  store = s;
});

function reopen(): Store {
  store.close();
  store = openStore(store.path);
  return store;
}

const ALL_STATUSES: TaskStatus[] = [
  "queued",
  "dispatched",
  "running",
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
];

describe("store.tasks", () => {
  test("round-trips every field, set, with a 100 KB unicode output", () => {
    const output = `${"ligne ünïcødé — 日本語 — 🚀 emoji\ttab\n".repeat(2900)}\u0000nul and \r\n kept`;
    expect(output.length).toBeGreaterThan(100_000);
    const t = store.tasks.insert(
      makeTask({
        worker: "c1",
        text: "printf '%s' \"héllo\" && echo $'\\x1b[31m'",
        priority: 1,
        status: "succeeded",
        exitCode: 0,
        output,
        submittedAt: 1_735_689_600_001,
        startedAt: 1_735_689_600_002,
        finishedAt: 1_735_689_600_003,
        attempts: 2,
        error: "first attempt: timed out",
        timeoutMs: 120_000,
      }),
    );
    const back = reopen().tasks.get(t.id);
    expect(back).toEqual(t);
    expect(back?.output).toBe(output);
  });

  test("round-trips every nullable field as null", () => {
    const t = store.tasks.insert(
      makeTask({
        worker: null,
        exitCode: null,
        output: null,
        startedAt: null,
        finishedAt: null,
        error: null,
      }),
    );
    expect(reopen().tasks.get(t.id)).toEqual(t);
  });

  test("an empty output stays an empty string, not null; negative exit codes survive", () => {
    const t = store.tasks.insert(makeTask({ output: "", exitCode: -1, status: "failed" }));
    expect(store.tasks.get(t.id)?.output).toBe("");
    expect(store.tasks.get(t.id)?.exitCode).toBe(-1);
  });

  test("insert returns the task with a growing seq and no extra fields", () => {
    const a = store.tasks.insert({ ...makeTask(), extra: "ignored" } as Omit<Task, "seq">);
    const b = store.tasks.insert(makeTask());
    expect(b.seq).toBeGreaterThan(a.seq);
    expect("extra" in a).toBe(false);
    expect(Object.keys(a).sort()).toEqual(Object.keys(store.tasks.get(a.id)!).sort());
  });

  test("seq grows by one per insert", () => {
    const a = store.tasks.insert(makeTask());
    const b = store.tasks.insert(makeTask());
    expect(b.seq).toBe(a.seq + 1);
  });

  test("a taken id is a StoreConflictError", () => {
    const t = store.tasks.insert(makeTask());
    expect(() => store.tasks.insert(makeTask({ id: t.id }))).toThrow(StoreConflictError);
    expect(() => store.tasks.insert(makeTask({ id: t.id }))).toThrow(`a task with id ${t.id} already exists`);
  });

  test("priority outside 1..4 and unknown statuses are refused", () => {
    expect(() => store.tasks.insert(makeTask({ priority: 5 as Task["priority"] }))).toThrow();
    expect(() => store.tasks.insert(makeTask({ status: "done" as TaskStatus }))).toThrow();
    const t = store.tasks.insert(makeTask());
    expect(() => store.tasks.update(t.id, { priority: 0 as Task["priority"] })).toThrow();
    expect(store.tasks.get(t.id)?.priority).toBe(3);
  });

  test("a non-integer where an integer belongs is refused (STRICT tables)", () => {
    expect(() => store.tasks.insert(makeTask({ timeoutMs: 1.5 }))).toThrow();
    expect(() => store.tasks.insert(makeTask({ attempts: "one" as unknown as number }))).toThrow();
  });

  test("get gives null for an unknown id", () => {
    expect(store.tasks.get("nope")).toBeNull();
  });

  test("update changes only the given fields, persists, and returns the task", () => {
    const t = store.tasks.insert(makeTask());
    const patch = { status: "running", startedAt: 42, attempts: 1 } as const;
    expect(store.tasks.update(t.id, patch)).toEqual({ ...t, ...patch });
    expect(reopen().tasks.get(t.id)).toEqual({ ...t, ...patch });
  });

  test("update of every patchable field, with nulls", () => {
    const t = store.tasks.insert(
      makeTask({ exitCode: 3, output: "x", error: "e", startedAt: 1, finishedAt: 2 }),
    );
    const patch = {
      worker: null,
      text: "new text",
      priority: 2,
      status: "cancelled",
      exitCode: null,
      output: null,
      submittedAt: 9,
      startedAt: null,
      finishedAt: null,
      attempts: 4,
      error: null,
      timeoutMs: 5,
    } as const;
    expect(store.tasks.update(t.id, patch)).toEqual({ ...t, ...patch });
  });

  test("update: empty patch, unknown task, forbidden fields", () => {
    const t = store.tasks.insert(makeTask());
    expect(store.tasks.update(t.id, {})).toEqual(t);
    expect(store.tasks.update("ghost", { status: "failed" })).toBeNull();
    expect(() => store.tasks.update(t.id, { seq: 99 } as never)).toThrow("tasks.seq");
    expect(() => store.tasks.update(t.id, { id: "x" } as never)).toThrow("tasks.id");
  });

  test("set changes the fields like update without reading the task back; false for no such task", () => {
    const t = store.tasks.insert(makeTask());
    expect(store.tasks.set(t.id, { status: "dispatched", attempts: 1 })).toBe(true);
    expect(store.tasks.set(t.id, { result: { cost: 2 } as never, status: "running" })).toBe(true);
    expect(reopen().tasks.get(t.id)).toEqual({
      ...t,
      status: "running",
      attempts: 1,
      result: { cost: 2 },
    } as Task);
    expect(store.tasks.set("ghost", { status: "failed" })).toBe(false);
    expect(store.tasks.set(t.id, {})).toBe(false);
    expect(store.tasks.set(t.id, { error: undefined })).toBe(false);
    expect(() => store.tasks.set(t.id, { seq: 99 } as never)).toThrow("tasks.seq");
    expect(store.tasks.get(t.id)?.status).toBe("running");
  });

  test("a patch's fields may come in any order, and undefined ones are left out", () => {
    const t = store.tasks.insert(makeTask());
    store.tasks.update(t.id, { status: "dispatched", attempts: 1 });
    store.tasks.update(t.id, { attempts: 2, status: "running", error: undefined });
    expect(store.tasks.get(t.id)).toMatchObject({ status: "running", attempts: 2, error: null });
    store.tasks.update(t.id, { error: "e", attempts: undefined });
    expect(store.tasks.get(t.id)).toMatchObject({ status: "running", attempts: 2, error: "e" });
  });

  test("the same update shape with different values reuses a statement and stays correct", () => {
    const t = store.tasks.insert(makeTask());
    for (let i = 0; i < 500; i++) store.tasks.update(t.id, { output: `o${i}`, attempts: i });
    expect(store.tasks.get(t.id)).toMatchObject({ output: "o499", attempts: 499 });
  });
});

describe("the per-worker queue", () => {
  test("nextQueued: lowest priority number first, then FIFO", () => {
    const ids: Record<string, string> = {};
    const add = (label: string, priority: Task["priority"]) => {
      ids[label] = store.tasks.insert(makeTask({ priority })).id;
    };
    add("normal-1", 3);
    add("low-1", 4);
    add("critical-1", 1);
    add("normal-2", 3);
    add("high-1", 2);
    add("critical-2", 1);
    const order: string[] = [];
    for (let t = store.tasks.nextQueued("c1"); t; t = store.tasks.nextQueued("c1")) {
      order.push(Object.keys(ids).find((k) => ids[k] === t!.id)!);
      store.tasks.update(t.id, { status: "dispatched" });
    }
    expect(order).toEqual(["critical-1", "critical-2", "high-1", "normal-1", "normal-2", "low-1"]);
  });

  test("nextQueued and countQueued only see queued tasks of that worker", () => {
    store.tasks.insert(makeTask({ worker: "c2" }));
    store.tasks.insert(makeTask({ worker: null }));
    for (const status of ALL_STATUSES.filter((s) => s !== "queued")) {
      store.tasks.insert(makeTask({ status, priority: 1 }));
    }
    expect(store.tasks.nextQueued("c1")).toBeNull();
    expect(store.tasks.countQueued("c1")).toBe(0);
    const mine = store.tasks.insert(makeTask({ priority: 4 }));
    store.tasks.insert(makeTask({ priority: 4 }));
    expect(store.tasks.nextQueued("c1")?.id).toBe(mine.id);
    expect(store.tasks.countQueued("c1")).toBe(2);
    expect(store.tasks.countQueued("c2")).toBe(1);
    expect(store.tasks.countQueued("nobody")).toBe(0);
  });

  test("a worker's tasks are listed from tasks_worker, in seq order without a sort", () => {
    // A regression guard, through a raw connection on the same file.
    const { Database } = require("bun:sqlite") as typeof import("bun:sqlite");
    const db = new Database(store.path, { readonly: true });
    const plan = db
      .query(`EXPLAIN QUERY PLAN SELECT * FROM tasks WHERE worker = ${TEXT_PARAM} ORDER BY seq DESC LIMIT ?`)
      .all("c1", 20) as { detail: string }[];
    db.close();
    expect(plan.map((p) => p.detail).join(" ")).toContain("tasks_worker");
    expect(plan.map((p) => p.detail).join(" ")).not.toContain("TEMP B-TREE");
  });
});

describe("tasks.list and inFlight", () => {
  function seed(): Task[] {
    return [
      store.tasks.insert(makeTask({ worker: "a", status: "succeeded" })),
      store.tasks.insert(makeTask({ worker: "b", status: "running" })),
      store.tasks.insert(makeTask({ worker: "a", status: "queued" })),
      store.tasks.insert(makeTask({ worker: "a", status: "dispatched" })),
      store.tasks.insert(makeTask({ worker: "b", status: "failed" })),
      store.tasks.insert(makeTask({ worker: null, status: "queued" })),
    ];
  }
  const seqs = (ts: Task[]) => ts.map((t) => t.seq);

  test("everything, by seq ascending, by default", () => {
    const all = seed();
    expect(store.tasks.list()).toEqual(all);
  });

  test("by worker, status, limit and order, alone and combined", () => {
    const [t0, t1, t2, t3, t4, t5] = seed() as [Task, Task, Task, Task, Task, Task];
    expect(seqs(store.tasks.list({ worker: "a" }))).toEqual(seqs([t0, t2, t3]));
    expect(seqs(store.tasks.list({ status: ["queued"] }))).toEqual(seqs([t2, t5]));
    expect(seqs(store.tasks.list({ status: ["failed", "succeeded"] }))).toEqual(seqs([t0, t4]));
    expect(store.tasks.list({ status: [] })).toEqual([]);
    expect(seqs(store.tasks.list({ order: "desc" }))).toEqual(seqs([t5, t4, t3, t2, t1, t0]));
    expect(seqs(store.tasks.list({ order: "desc", limit: 2 }))).toEqual(seqs([t5, t4]));
    expect(seqs(store.tasks.list({ limit: 2 }))).toEqual(seqs([t0, t1]));
    expect(store.tasks.list({ limit: 0 })).toEqual([]);
    expect(
      seqs(store.tasks.list({ worker: "b", status: ["running", "failed"], order: "desc", limit: 1 })),
    ).toEqual(seqs([t4]));
    expect(store.tasks.list({ worker: "nobody" })).toEqual([]);
  });

  test("a bad limit or order is a RangeError that shows the value", () => {
    expect(() => store.tasks.list({ limit: -1 })).toThrow("got -1");
    expect(() => store.tasks.list({ limit: 1.5 })).toThrow(RangeError);
    expect(() => store.tasks.list({ order: "up" as "asc" })).toThrow('got "up"');
  });

  test("inFlight: dispatched and running, oldest first", () => {
    const [, t1, , t3] = seed() as [Task, Task, Task, Task];
    expect(store.tasks.inFlight()).toEqual([t1, t3]);
    store.tasks.update(t1.id, { status: "succeeded" });
    expect(store.tasks.inFlight()).toEqual([t3]);
  });
});

describe("the pools: nextFor", () => {
  const taker = { worker: "c1", type: "shell", project: "/p", host: "local", labels: "{}" };
  const pool = (over: Partial<Task>) => makeTask({ worker: null, agentType: "shell", ...over });

  test("the lowest rank wins across the worker's own queue, its project's pool and the any-project pool", () => {
    const own = store.tasks.insert(makeTask({ rank: 300 }));
    const proj = store.tasks.insert(pool({ project: "/p", rank: 200 }));
    const any = store.tasks.insert(pool({ project: null, rank: 100 }));
    store.tasks.insert(pool({ project: "/other", rank: 1 }));
    store.tasks.insert(pool({ agentType: "claude", rank: 1 }));
    store.tasks.insert(makeTask({ worker: "c2", rank: 1 }));
    const order: string[] = [];
    for (let t = store.tasks.nextFor(taker, 0); t; t = store.tasks.nextFor(taker, 0)) {
      order.push(t.id);
      store.tasks.update(t.id, { status: "dispatched" });
    }
    expect(order).toEqual([any.id, proj.id, own.id]);
  });

  test("aging: a low task submitted three periods before a critical one runs first", () => {
    const aging = 60_000;
    const t0 = 1_700_000_000_000;
    const low = store.tasks.insert(pool({ priority: 4, submittedAt: t0, rank: t0 + 3 * aging }));
    const crit = store.tasks.insert(
      pool({ priority: 1, submittedAt: t0 + 3 * aging + 1, rank: t0 + 3 * aging + 1 }),
    );
    const early = store.tasks.insert(pool({ priority: 1, submittedAt: t0 + aging, rank: t0 + aging }));
    const order = [store.tasks.nextFor(taker, 0)!.id];
    store.tasks.update(order[0]!, { status: "dispatched" });
    order.push(store.tasks.nextFor(taker, 0)!.id);
    store.tasks.update(order[1]!, { status: "dispatched" });
    order.push(store.tasks.nextFor(taker, 0)!.id);
    expect(order).toEqual([early.id, low.id, crit.id]);
  });

  test("a task that asked for a place is taken only on its host, and only where the host has all its labels", () => {
    const onH1 = store.tasks.insert(pool({ rank: 1, place: { host: "h1", labels: null } }));
    const gpu = store.tasks.insert(pool({ rank: 2, place: { host: null, labels: { gpu: "1", zone: "a" } } }));
    const anywhere = store.tasks.insert(pool({ rank: 3 }));
    const at = (host: string, labels: Record<string, string>) =>
      store.tasks.nextFor({ ...taker, host, labels: JSON.stringify(labels) }, 0)?.id;
    expect(at("local", {})).toBe(anywhere.id);
    expect(at("h2", { gpu: "1" })).toBe(anywhere.id);
    expect(at("h2", { gpu: "1", zone: "b" })).toBe(anywhere.id);
    expect(at("h2", { zone: "a", gpu: "1", os: "x" })).toBe(gpu.id);
    expect(at("h1", {})).toBe(onH1.id);
    // read back as asked, and counted per place
    expect(store.tasks.get(gpu.id)?.place).toEqual({ host: null, labels: { gpu: "1", zone: "a" } });
    expect(store.tasks.get(anywhere.id)?.place).toBeUndefined();
    expect(store.tasks.countPool("shell", null, { host: null, labels: { zone: "a", gpu: "1" } })).toBe(1);
    expect(store.tasks.countPool("shell", null, { host: "h1", labels: null })).toBe(1);
    expect(store.tasks.countPool("shell", null)).toBe(1);
  });

  test("a retry waiting for its backoff is not taken before its time", () => {
    const later = store.tasks.insert(pool({ rank: 1, notBefore: 5_000 }));
    const now = store.tasks.insert(pool({ rank: 2 }));
    expect(store.tasks.nextFor(taker, 4_999)?.id).toBe(now.id);
    expect(store.tasks.nextWake(4_999)).toBe(5_000);
    expect(store.tasks.nextFor(taker, 5_000)?.id).toBe(later.id);
  });

  test("the pool queries read their partial indexes in order (no sort)", () => {
    const { Database } = require("bun:sqlite") as typeof import("bun:sqlite");
    const db = new Database(store.path, { readonly: true });
    const plan = (sql: string, ...params: (string | number)[]) =>
      (db.query(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
        .map((p) => p.detail)
        .join(" ");
    const pooled = plan(
      `SELECT * FROM tasks WHERE agent_type = ${TEXT_PARAM} AND project = ${TEXT_PARAM} AND status = 'queued' AND worker IS NULL AND not_before <= ? ORDER BY rank, seq LIMIT 1`,
      "shell",
      "/p",
      0,
    );
    const own = plan(
      `SELECT * FROM tasks WHERE worker = ${TEXT_PARAM} AND status = 'queued' AND not_before <= ? ORDER BY rank, seq LIMIT 1`,
      "c1",
      0,
    );
    db.close();
    expect(pooled).toContain("tasks_pool");
    expect(own).toContain("tasks_targeted");
    expect(pooled + own).not.toContain("TEMP B-TREE");
  });
});
