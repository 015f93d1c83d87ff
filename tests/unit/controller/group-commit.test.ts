import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { GroupCommit } from "../../../src/core/controller/group-commit.ts";

/** An in-memory table and a transaction function that counts the outer transactions. */
function setup() {
  const db = new Database(":memory:");
  db.run("CREATE TABLE t (v TEXT NOT NULL)");
  let outer = 0;
  const tx = db.transaction((fn: () => unknown) => fn());
  const transaction = <T>(fn: () => T): T => {
    if (!db.inTransaction) outer++;
    return tx(fn) as T;
  };
  const rows = () => (db.query("SELECT v FROM t ORDER BY rowid").all() as { v: string }[]).map((r) => r.v);
  const insert = (v: string) => db.run("INSERT INTO t (v) VALUES (?)", [v]);
  return { db, transaction, rows, insert, outer: () => outer };
}

describe("GroupCommit", () => {
  test("writes made in the same turn share one transaction, in the order they came", async () => {
    const s = setup();
    const group = new GroupCommit(s.transaction);
    const results = await Promise.all(
      ["a", "b", "c"].map((v) =>
        group.run(() => {
          s.insert(v);
          return v.toUpperCase();
        }),
      ),
    );
    expect(results).toEqual(["A", "B", "C"]);
    expect(s.rows()).toEqual(["a", "b", "c"]);
    expect(s.outer()).toBe(1);
  });

  test("nothing is resolved before the commit", async () => {
    const s = setup();
    const group = new GroupCommit(s.transaction);
    let committedWhenResolved = false;
    await group
      .run(() => s.insert("x"))
      .then(() => {
        committedWhenResolved = !s.db.inTransaction && s.rows().includes("x");
      });
    expect(committedWhenResolved).toBe(true);
  });

  test("a write that throws rolls back alone; the others are committed", async () => {
    const s = setup();
    const group = new GroupCommit(s.transaction);
    const a = group.run(() => s.insert("a"));
    const bad = group.run(() => {
      s.insert("half-done");
      throw new Error("boom");
    });
    const c = group.run(() => s.insert("c"));
    await a;
    await c;
    await expect(bad).rejects.toThrow("boom");
    expect(s.rows()).toEqual(["a", "c"]);
  });

  test("later turns get transactions of their own", async () => {
    const s = setup();
    const group = new GroupCommit(s.transaction);
    await group.run(() => s.insert("1"));
    await group.run(() => s.insert("2"));
    expect(s.rows()).toEqual(["1", "2"]);
    expect(s.outer()).toBe(2);
  });

  test("when the commit itself fails, every caller of the batch hears it", async () => {
    const group = new GroupCommit(() => {
      throw new Error("disk full");
    });
    const settled = await Promise.allSettled([group.run(() => 1), group.run(() => 2)]);
    expect(settled.map((r) => (r.status === "rejected" ? (r.reason as Error).message : "resolved"))).toEqual([
      "disk full",
      "disk full",
    ]);
  });
});
