/** `orch restore`'s core: a backup put in place of the store, or a bad_input failure naming the file. */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { restoreStore } from "../../../../src/core/app/state/restore.ts";
import { openStore } from "../../../../src/core/store/index.ts";
import { makeWorker } from "../../store/helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "orch-restore-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tmp = { file: (name: string) => join(dir, name) };

describe("restoreStore", () => {
  test("a good backup replaces the store; the old one is kept beside it", () => {
    const backup = tmp.file("backup.db");
    const store = openStore(backup);
    store.workers.insert(makeWorker());
    store.close();
    const db = tmp.file("orch.db");
    openStore(db).close();
    const r = restoreStore(backup, db, new Date("2025-01-01T10:00:00Z"));
    expect(r).toEqual({
      ok: true,
      value: {
        previous: `${db}.before-restore-2025-01-01T10-00-00-000Z`,
        schemaVersion: expect.any(Number),
        tasks: 0,
        workers: 1,
      },
    });
    if (r.ok) expect(existsSync(r.value.previous!)).toBe(true);
  });

  test("a missing file or one that is not an orch store: bad_input naming the file", () => {
    const missing = tmp.file("nope.db");
    expect(restoreStore(missing, tmp.file("a.db"))).toMatchObject({
      ok: false,
      code: "bad_input",
      error: expect.stringContaining(missing),
    });
    const text = tmp.file("notes.txt");
    writeFileSync(text, "not a database, just text long enough to be read as a header ".repeat(4));
    const r = restoreStore(text, tmp.file("b.db"));
    expect(r).toMatchObject({
      ok: false,
      code: "bad_input",
      error: expect.stringContaining(`"${text}" is not an orch store`),
    });
    expect(existsSync(tmp.file("b.db"))).toBe(false);
  });
});
