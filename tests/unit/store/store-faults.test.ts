/** The store on a disk that fills up or a file that is damaged: it says so, and never half-commits. */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, mkdirSync, openSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { openStore, type Store, StoreOpenError, StoreWriteError } from "../../../src/core/store/index.ts";
import { makeTask, makeWorker, tempDir } from "./helpers.ts";

const tmp = tempDir();
const small = join(tmp.dir, "small");
afterAll(tmp.cleanup);

/** Fills the small disk with one file; returns a function that frees it. */
function fill(): () => void {
  const filler = join(small, "filler");
  const fd = openSync(filler, "w");
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: full
  }
  // the last pages, smaller than a chunk
  try {
    for (;;) writeSync(fd, chunk, 0, 512);
  } catch {}
  closeSync(fd);
  return () => rmSync(filler, { force: true });
}

describe("a full disk", () => {
  let store: Store;
  beforeAll(() => {
    mkdirSync(small, { recursive: true });
    const m = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", small]);
    if (m.exitCode !== 0) throw new Error(`mount failed: ${m.stderr.toString()}`);
    store = openStore(join(small, "orch.db"));
    store.workers.insert(makeWorker());
  });
  afterAll(() => {
    store.close();
    // lazily: the closed store's statements may still hold the file for a moment
    Bun.spawnSync(["umount", "-l", small]);
  });

  test("a commit that cannot be written is rolled back whole and named: disk full, the folder, nothing stored", () => {
    const faults: StoreWriteError[] = [];
    const off = store.onFault((f) => faults.push(f));
    const free = fill();
    const committed: string[] = [];
    const rolledBack: string[] = [];
    let thrown: unknown = null;
    try {
      store.transaction(() => {
        store.tasks.insert(makeTask({ text: "x".repeat(600_000) }));
        store.afterCommit(() => committed.push("typed"));
        store.onRollback(() => rolledBack.push("undone"));
      });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(StoreWriteError);
    expect((thrown as StoreWriteError).kind).toBe("full");
    expect((thrown as Error).message).toContain(`cannot write the store: disk full at ${small}`);
    expect(committed).toEqual([]);
    expect(rolledBack).toEqual(["undone"]);
    expect(faults).toHaveLength(1);
    expect(store.tasks.list()).toEqual([]);
    expect(store.probeWrite()?.kind).toBe("full");

    free();
    expect(store.probeWrite()).toBeNull();
    store.transaction(() => {
      store.tasks.insert(makeTask({ text: "small" }));
      store.afterCommit(() => committed.push("typed"));
    });
    expect(committed).toEqual(["typed"]);
    expect(store.tasks.list().map((t) => t.text)).toEqual(["small"]);
    off();
  });

  test("a fault swallowed by a nested write still fails the whole transaction", () => {
    const free = fill();
    try {
      expect(() =>
        store.transaction(() => {
          try {
            store.transaction(() => store.tasks.insert(makeTask({ text: "y".repeat(900_000) })));
          } catch {}
          store.workers.update("c1", { state: "error" });
        }),
      ).toThrow(StoreWriteError);
    } finally {
      free();
    }
    expect(store.workers.get("c1")?.state).not.toBe("error");
  });
});

describe("a damaged store at open", () => {
  test("a corrupt page is refused in one line naming the file, the damage and orch restore", () => {
    const file = tmp.file("orch.db");
    const s = openStore(file);
    s.transaction(() => {
      for (let i = 0; i < 200; i++) s.tasks.insert(makeTask({ text: `task ${i} ${"z".repeat(300)}` }));
    });
    s.close();
    const raw = new Database(file);
    raw.run("PRAGMA wal_checkpoint(TRUNCATE)");
    raw.close();
    expect(statSync(file).size).toBeGreaterThan(8 * 4096);
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4 * 4096);
    closeSync(fd);
    let err: unknown = null;
    try {
      openStore(file).close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreOpenError);
    const msg = (err as Error).message;
    expect(msg).toContain(`the orch store ${file} is damaged (`);
    expect(msg).toContain("orch restore FILE");
    expect(msg).not.toContain("\n");
  });

  test("an empty file in a new place is a fresh store", () => {
    const file = tmp.file("orch.db");
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, "");
    const s = openStore(file);
    expect(s.workers.list()).toEqual([]);
    s.close();
  });

  test("damage found while running stops writes, each refused with the same line naming the file and orch restore", () => {
    const file = tmp.file("orch.db");
    mkdirSync(dirname(file), { recursive: true });
    const s = openStore(file);
    const ids: string[] = [];
    s.transaction(() => {
      for (let i = 0; i < 200; i++)
        ids.push(s.tasks.insert(makeTask({ text: `t ${i} ${"z".repeat(300)}` })).id);
    });
    const faults: StoreWriteError[] = [];
    s.onFault((f) => faults.push(f));
    // another connection checkpoints, the pages are damaged on disk, and its write makes the
    // store's connection read them again
    const raw = new Database(file);
    raw.run("PRAGMA wal_checkpoint(TRUNCATE)");
    const fd = openSync(file, "r+");
    for (let p = 2; p < 20; p++) writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, p * 4096);
    closeSync(fd);
    raw.run("PRAGMA user_version = 1");
    raw.close();
    const write = () =>
      s.transaction(() => {
        for (const id of ids) s.tasks.update(id, { status: "cancelled" });
      });
    expect(write).toThrow(StoreWriteError);
    expect(faults.map((f) => f.kind)).toEqual(["corrupt"]);
    expect(faults[0]!.message).toContain(`the orch store ${file} is damaged (`);
    expect(faults[0]!.message).toContain("orch restore FILE");
    expect(write).toThrow(faults[0]!.message);
    expect(s.probeWrite()).toBe(faults[0]!);
    s.close();
  });
});
