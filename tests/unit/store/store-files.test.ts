import { afterAll, describe, expect, test } from "bun:test";
import { linkSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../../../src/core/store/index.ts";
import { storeFileRefusal } from "../../../src/core/store/store-files.ts";
import { tempDir } from "./helpers.ts";

const tmp = tempDir();
afterAll(tmp.cleanup);

describe("storeFileRefusal", () => {
  const home = join(tmp.dir, "home");
  mkdirSync(join(home, "sub"), { recursive: true });
  const db = join(home, "orch.db");
  const store = openStore(db);
  store.workers.list();
  afterAll(() => store.close());

  test.each([
    ["the store itself", db],
    ["its WAL", `${db}-wal`],
    ["its shared memory", `${db}-shm`],
    ["its rollback journal, even while it does not exist", `${db}-journal`],
    ["a path through ..", join(home, "sub", "..", "orch.db-wal")],
  ])("refuses %s", (_, target) => {
    expect(storeFileRefusal("write the export to", target, db)).toContain("it is the orch store's own file");
  });

  test("refuses a symlink to the store, and a folder symlinked to its home", () => {
    const link = join(tmp.dir, "link.db");
    symlinkSync(db, link);
    expect(storeFileRefusal("back up the store to", link, db)).toContain(
      `cannot back up the store to "${link}"`,
    );
    const homeLink = join(tmp.dir, "home-link");
    symlinkSync(home, homeLink);
    expect(storeFileRefusal("write", join(homeLink, "orch.db-shm"), db)).not.toBeNull();
  });

  test("refuses a hard link to one of the store's files", () => {
    const hard = join(tmp.dir, "hard.db");
    linkSync(db, hard);
    expect(storeFileRefusal("write", hard, db)).toContain("a hard link");
  });

  test("accepts any other file, next to the store or elsewhere", () => {
    expect(storeFileRefusal("write", join(home, "orch.db.bak"), db)).toBeNull();
    expect(storeFileRefusal("write", join(home, "export.json"), db)).toBeNull();
    expect(storeFileRefusal("write", join(tmp.dir, "nope", "orch.db"), db)).toBeNull();
  });

  test("a backup onto the WAL is refused and the store keeps working", () => {
    expect(() => store.backupTo(`${db}-wal`)).toThrow("it is the orch store's own file");
    expect(store.workers.list()).toEqual([]);
  });
});
