import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { openStore } from "../../../src/core/store/index.ts";
import { makeTask, makeWorker, tempDir } from "./helpers.ts";

const tmp = tempDir();
afterAll(tmp.cleanup);

describe("store.backupTo", () => {
  test("writes a readable, consistent copy (0600) while the store stays open and in use", () => {
    const store = openStore(tmp.file("orch.db"));
    store.workers.insert(makeWorker());
    const tasks = Array.from({ length: 50 }, (_, i) => store.tasks.insert(makeTask({ text: `task ${i}` })));
    const dest = tmp.file("backup.db");
    mkdirSync(dirname(dest));

    store.backupTo(dest);

    // The store is still usable, and later writes do not reach the backup.
    store.tasks.update(tasks[0]!.id, { status: "cancelled" });
    store.tasks.insert(makeTask());
    expect(statSync(dest).mode & 0o777).toBe(0o600);
    expect(readdirSync(dirname(dest))).toEqual(["backup.db"]); // no temp file left behind

    const copy = openStore(dest);
    expect(copy.workers.get("c1")).toEqual(store.workers.get("c1"));
    expect(copy.tasks.list()).toEqual(tasks);
    expect(copy.tasks.get(tasks[0]!.id)?.status).toBe("queued");
    copy.close();
    store.close();
  });

  test("inside a transaction it is refused: there is no snapshot of half a transaction", () => {
    const store = openStore(tmp.file("orch.db"));
    const t = store.tasks.insert(makeTask());
    const dest = join(tmp.dir, "mid-tx.db");
    expect(() =>
      store.transaction(() => {
        store.tasks.update(t.id, { status: "running" });
        store.backupTo(dest);
      }),
    ).toThrow(`cannot back up the orch store to ${dest}`);
    expect(store.tasks.get(t.id)?.status).toBe("queued");
    expect(existsSync(dest)).toBe(false);
    store.close();
  });

  test("replaces an existing file atomically", () => {
    const store = openStore(tmp.file("orch.db"));
    store.workers.insert(makeWorker({ name: "first" }));
    const dest = join(tmp.dir, "replace.db");
    writeFileSync(dest, "old backup");
    store.backupTo(dest);
    const copy = openStore(dest);
    expect(copy.workers.list().map((w) => w.name)).toEqual(["first"]);
    copy.close();
    store.close();
  });

  test("refuses to overwrite the store itself", () => {
    const store = openStore(tmp.file("orch.db"));
    expect(() => store.backupTo(store.path)).toThrow("it is the orch store's own file");
    expect(store.workers.list()).toEqual([]);
    store.close();
  });

  test("a missing folder is an error naming the file, with nothing left behind", () => {
    const store = openStore(tmp.file("orch.db"));
    const dest = join(tmp.dir, "no-such-dir", "b.db");
    expect(() => store.backupTo(dest)).toThrow(`cannot back up the orch store to ${dest}`);
    store.close();
  });

  test("the copy's bytes are a SQLite database", () => {
    const store = openStore(tmp.file("orch.db"));
    const dest = join(tmp.dir, "magic.db");
    store.backupTo(dest);
    store.close();
    expect(readFileSync(dest).subarray(0, 16).toString("latin1")).toBe("SQLite format 3\u0000");
  });
});
