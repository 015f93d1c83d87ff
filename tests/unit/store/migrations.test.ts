import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { openConnection } from "../../../src/core/runtime/sqlite-connection.ts";
import {
  MIGRATIONS,
  type Migration,
  openStore,
  SCHEMA_VERSION,
  StoreOpenError,
  StoreVersionError,
} from "../../../src/core/store/index.ts";
import { migrate, userVersion } from "../../../src/core/store/migrations.ts";
import { makeTask, makeWorker, tempDir } from "./helpers.ts";

const tmp = tempDir();
afterAll(tmp.cleanup);

const tables = (db: Database) =>
  (
    db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
  ).map((r) => r.name);

describe("migrations", () => {
  test("versions are 1, 2, 3, ... and SCHEMA_VERSION is the last", () => {
    MIGRATIONS.forEach((m, i) => {
      expect(m.version).toBe(i + 1);
    });
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  test("a new file gets the whole schema and user_version = SCHEMA_VERSION", () => {
    const file = tmp.file("orch.db");
    openStore(file).close();
    const db = new Database(file, { readonly: true });
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    expect(tables(db)).toEqual(expect.arrayContaining(["events", "tasks", "workers"]));
    const indexes = db
      .query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks'")
      .all();
    expect(indexes).toContainEqual({ name: "tasks_worker" });
    expect(indexes).not.toContainEqual({ name: "tasks_queue" });
    db.close();
  });

  test("reopening is a no-op that keeps the data", () => {
    const file = tmp.file("orch.db");
    const a = openStore(file);
    a.workers.insert(makeWorker());
    const t = a.tasks.insert(makeTask());
    a.close();
    for (let i = 0; i < 3; i++) {
      const b = openStore(file);
      expect(b.workers.get("c1")).not.toBeNull();
      expect(b.tasks.get(t.id)).toEqual(t);
      b.close();
    }
    const db = openConnection(file);
    expect(migrate(db, file)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    db.close();
  });

  test("a file from a newer orch is refused with a clear message, and left untouched", () => {
    const file = tmp.file("orch.db");
    openStore(file).close();
    const raw = new Database(file);
    raw.run("PRAGMA user_version = 99");
    raw.close();
    let err: unknown;
    try {
      openStore(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreVersionError);
    expect(err).toBeInstanceOf(StoreOpenError);
    const e = err as StoreVersionError;
    expect(e.found).toBe(99);
    expect(e.known).toBe(SCHEMA_VERSION);
    expect(e.message).toContain(file);
    expect(e.message).toContain("schema version 99");
    expect(e.message).toContain(`up to ${SCHEMA_VERSION}`);
    expect(e.message).toContain("newer orch");
    const after = new Database(file, { readonly: true });
    expect(userVersion(after)).toBe(99);
    after.close();
  });

  test("a later migration is applied to an older file", () => {
    const file = tmp.file("orch.db");
    openStore(file).close();
    const next: Migration[] = [
      ...MIGRATIONS,
      { version: SCHEMA_VERSION + 1, up: ["CREATE TABLE extra (x INTEGER) STRICT"] },
    ];
    const db = openConnection(file);
    expect(migrate(db, file, next)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION + 1 });
    expect(tables(db)).toContain("extra");
    expect(migrate(db, file, next)).toEqual({ from: SCHEMA_VERSION + 1, to: SCHEMA_VERSION + 1 });
    db.close();
  });

  test("v5: a worker of a v4 file is kept, with no worktree", () => {
    const file = tmp.file("orch.db");
    mkdirSync(dirname(file), { recursive: true });
    const db = openConnection(file);
    migrate(db, file, MIGRATIONS.slice(0, 4));
    db.run(
      `INSERT INTO workers (id, name, type, project, state, restarts, created_at)
       VALUES ('id-1', 'old', 'shell', '/src/app', 'idle', 0, 1)`,
    );
    expect(migrate(db, file)).toEqual({ from: 4, to: SCHEMA_VERSION });
    db.close();
    const store = openStore(file);
    expect(store.workers.get("old")).toMatchObject({ project: "/src/app", worktree: null });
    store.close();
  });

  test("a failing migration rolls back all of its statements and the version", () => {
    const file = tmp.file("orch.db");
    openStore(file).close();
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: SCHEMA_VERSION + 1, up: ["CREATE TABLE half (x INTEGER)", "THIS IS NOT SQL"] },
    ];
    const db = openConnection(file);
    expect(() => migrate(db, file, broken)).toThrow();
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    expect(tables(db)).not.toContain("half");
    db.close();
  });

  test("a list that is not 1, 2, 3, ... is refused", () => {
    const db = new Database(":memory:");
    expect(() => migrate(db, ":memory:", [{ version: 2, up: [] }])).toThrow("versions must be 1, 2, 3");
    db.close();
  });
});
