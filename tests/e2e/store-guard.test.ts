/**
 * The store protects itself (compiled binary): commands that write a file refuse the store's
 * own files however they are named, and `orch start` refuses a damaged or emptied store, and
 * names a full disk as such.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { OrchHarness } from "../helpers/orch-harness.ts";

describe("commands that write files refuse the store's own (compiled binary)", () => {
  const orch = new OrchHarness("dist");
  beforeAll(async () => {
    await orch.startWithWorker("w1");
    expect((await orch.run(["send", "w1", "echo kept", "--wait"])).code).toBe(0);
  });
  afterAll(() => orch.cleanup(), 30_000);

  test("backup, export-state and report -o onto orch.db, -wal, -shm, -journal, a symlink, .. or a hard link: exit 2, the store intact", async () => {
    const db = join(orch.home, "orch.db");
    const link = join(orch.root, "link.db");
    symlinkSync(db, link);
    const hard = join(orch.root, "hard.db");
    linkSync(db, hard);
    mkdirSync(join(orch.home, "sub"));
    const attempts = [
      ["backup", `${db}-wal`],
      ["backup", db],
      ["backup", link],
      ["backup", hard],
      ["export-state", db],
      ["export-state", `${db}-shm`],
      ["export-state", join(orch.home, "sub", "..", "orch.db-journal")],
      ["report", "nope", "-o", `${db}-wal`],
    ];
    for (const args of attempts) {
      const r = await orch.run(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toContain("it is the orch store's own file");
    }
    // the controller is alive, and after a kill -9 the store still has everything
    expect((await orch.run(["send", "w1", "echo still", "--wait"])).code).toBe(0);
    process.kill(orch.controllerPid()!, "SIGKILL");
    await orch.ok(["start"]);
    const results = await orch.json<Array<{ output: string | null }>>(["results"]);
    expect(results.map((t) => t.output?.trim())).toEqual(["kept", "still"]);
  });
});

describe("orch start refuses a store it must not use (compiled binary)", () => {
  const orch = new OrchHarness("dist");
  const db = () => join(orch.home, "orch.db");
  beforeAll(async () => {
    await orch.startWithWorker("w1");
    expect((await orch.run(["send", "w1", "seq 1 2000", "--wait"])).code).toBe(0);
    await orch.ok(["stop", "--kill-workers"]);
  });
  afterAll(() => orch.cleanup(), 30_000);

  test("restore from the store itself (or its WAL) is refused, and the store stays", async () => {
    for (const from of [db(), `${db()}-wal`]) {
      const r = await orch.run(["restore", from]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("cannot restore the store from");
    }
    expect(statSync(db()).size).toBeGreaterThan(0);
  });

  test("a damaged page: one line naming the file, the damage and orch restore, exit 3", async () => {
    const fd = openSync(db(), "r+");
    for (let p = 2; p < 8; p++) writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, p * 4096);
    closeSync(fd);
    const r = await orch.run(["start"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`the orch store ${db()} is damaged (`);
    expect(r.stderr).toContain("orch restore FILE");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(orch.controllerPid()).toBeNull();
  });

  test("a zero-length orch.db in a home with history is refused, naming both", async () => {
    writeFileSync(db(), "");
    rmSync(`${db()}-wal`, { force: true });
    rmSync(`${db()}-shm`, { force: true });
    const r = await orch.run(["start"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`the orch store ${db()} is empty (0 bytes), but this home has history`);
    expect(r.stderr).toContain("orch restore FILE");
  });
});

describe("orch start on a full disk (compiled binary, tmpfs)", () => {
  const orch = new OrchHarness("dist");
  beforeAll(async () => {
    mkdirSync(orch.home, { recursive: true, mode: 0o700 });
    const m = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", orch.home]);
    if (m.exitCode !== 0) throw new Error(`mount: ${m.stderr}`);
  });
  afterAll(async () => {
    await orch.run(["stop", "--kill-workers"], 20_000).catch(() => undefined);
    orch.tmux("kill-server");
    Bun.spawnSync(["umount", "-l", orch.home]);
    await orch.cleanup();
  }, 30_000);

  test("says the disk is full, not that the store is damaged", async () => {
    await orch.ok(["start"]);
    await orch.ok(["stop"]);
    rmSync(join(orch.home, "orch.db-wal"), { force: true });
    rmSync(join(orch.home, "orch.db-shm"), { force: true });
    const fd = openSync(join(orch.home, "filler"), "w");
    for (const size of [1 << 20, 64 << 10, 4096, 512, 1]) {
      try {
        for (;;) writeSync(fd, Buffer.alloc(size, 1));
      } catch {}
    }
    closeSync(fd);
    const r = await orch.run(["start"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/disk full|no space left/i);
    expect(r.stderr).not.toContain("restore");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    rmSync(join(orch.home, "filler"));
    await orch.ok(["start"]);
  });
});
