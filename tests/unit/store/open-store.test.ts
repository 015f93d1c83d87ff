import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";
import { openConnection } from "../../../src/core/runtime/sqlite-connection.ts";
import { openStore, StoreOpenError } from "../../../src/core/store/index.ts";
import { makeWorker, tempDir } from "./helpers.ts";

const tmp = tempDir();
afterAll(tmp.cleanup);

const mode = (p: string) => statSync(p).mode & 0o777;

describe("openStore", () => {
  test("creates a missing folder 0700 and the file 0600, and -wal/-shm 0600", () => {
    const file = join(tmp.file("x"), "deeper", "orch.db");
    const store = openStore(file);
    try {
      expect(store.path).toBe(file);
      expect(mode(dirname(file))).toBe(0o700);
      expect(mode(dirname(dirname(file)))).toBe(0o700);
      expect(mode(file)).toBe(0o600);
      store.workers.insert(makeWorker()); // something in the WAL
      expect(mode(`${file}-wal`)).toBe(0o600);
      expect(mode(`${file}-shm`)).toBe(0o600);
    } finally {
      store.close();
    }
  });

  test("modes hold whatever the umask", () => {
    const old = process.umask(0o000);
    try {
      const file = tmp.file("orch.db");
      openStore(file).close();
      expect(mode(dirname(file))).toBe(0o700);
      expect(mode(file)).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  test("leaves an existing folder's mode alone", () => {
    const file = tmp.file("orch.db");
    mkdirSync(dirname(file), { mode: 0o755 });
    openStore(file).close();
    expect(mode(dirname(file))).toBe(0o755);
  });

  test("resolves a relative path to an absolute one", () => {
    const file = tmp.file("orch.db");
    const rel = relative(process.cwd(), file);
    expect(isAbsolute(rel)).toBe(false);
    const store = openStore(rel);
    expect(store.path).toBe(file);
    store.close();
  });

  test("turns WAL on, and it stays on in the file", () => {
    const file = tmp.file("orch.db");
    openStore(file).close();
    const raw = new Database(file, { readonly: true });
    expect(raw.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    raw.close();
  });

  test("a garbage file is a StoreOpenError naming the file, the cause and how to restore", () => {
    const file = tmp.file("orch.db");
    mkdirSync(dirname(file));
    const garbage = "this is not a database\n".repeat(200);
    writeFileSync(file, garbage);
    let err: unknown;
    try {
      openStore(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreOpenError);
    const e = err as StoreOpenError;
    expect(e.file).toBe(file);
    expect(e.message).toContain(file);
    expect(e.message).toContain("file is not a database");
    expect(e.message).toContain("orch restore FILE");
    expect(e.message).toContain("orch backup");
    expect(readFileSync(file, "utf8")).toBe(garbage); // left untouched for a human to inspect
  });

  test("a folder where the file should be is a StoreOpenError", () => {
    const file = tmp.file("orch.db");
    mkdirSync(file, { recursive: true });
    expect(() => openStore(file)).toThrow(StoreOpenError);
  });

  test("a file where the folder should be is a StoreOpenError naming the file", () => {
    const parent = tmp.file("not-a-dir");
    mkdirSync(dirname(parent));
    writeFileSync(parent, "x");
    const file = join(parent, "orch.db");
    expect(() => openStore(file)).toThrow(file);
  });

  test(":memory: opens a private in-memory store", () => {
    const store = openStore(":memory:");
    store.workers.insert(makeWorker());
    expect(store.workers.list()).toHaveLength(1);
    expect(store.path).toBe(":memory:");
    store.close();
  });

  test("close is idempotent", () => {
    const store = openStore(tmp.file("orch.db"));
    store.close();
    expect(() => store.close()).not.toThrow();
  });
});

describe("openConnection", () => {
  const pragma = (db: Database, name: string) => Object.values(db.query(`PRAGMA ${name}`).get() as object)[0];

  test("normal durability: WAL, synchronous NORMAL, busy_timeout 5000, foreign keys on", () => {
    const db = openConnection(join(tmp.dir, "c-normal.db"));
    expect(pragma(db, "journal_mode")).toBe("wal");
    expect(pragma(db, "synchronous")).toBe(1);
    expect(pragma(db, "busy_timeout")).toBe(5000);
    expect(pragma(db, "foreign_keys")).toBe(1);
    db.close();
  });

  test("full durability: synchronous FULL", () => {
    const db = openConnection(join(tmp.dir, "c-full.db"), "full");
    expect(pragma(db, "synchronous")).toBe(2);
    db.close();
  });
});
