/**
 * The compiled binary with its ORCH_HOME on a small tmpfs that fills up mid-run: the client is
 * told why (exit 3, "disk full"), nothing is acknowledged that the store does not hold, orch
 * resumes by itself once space is back, and no task runs twice (each task appends a line to a
 * file outside the tmpfs, which counts its runs).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { OrchHarness, type TaskJson, waitFor } from "../helpers/orch-harness.ts";

const FINAL = ["succeeded", "failed", "timed_out", "cancelled"];

/** Fills the file system of `dir` with one file; returns a function that frees it again. */
function fillDisk(dir: string): () => void {
  const filler = join(dir, "filler");
  const fd = openSync(filler, "w");
  for (const size of [1 << 20, 64 << 10, 4096, 512]) {
    const chunk = Buffer.alloc(size, 1);
    try {
      for (;;) writeSync(fd, chunk);
    } catch {
      // ENOSPC: on to smaller pieces
    }
  }
  closeSync(fd);
  return () => rmSync(filler, { force: true });
}

describe("a full disk under ORCH_HOME (compiled binary, tmpfs)", () => {
  const orch = new OrchHarness("dist");
  const runs = join(orch.root, "runs.txt");
  /** A task that counts its run outside the tmpfs and prints ~400 KB. */
  const task = (label: string) =>
    `echo ${label} >> ${runs}; head -c 400000 /dev/zero | tr '\\0' x; echo; echo done-${label}`;
  const count = (label: string) =>
    readFileSync(runs, "utf8")
      .split("\n")
      .filter((l) => l === label).length;
  let free: (() => void) | null = null;

  beforeAll(async () => {
    mkdirSync(orch.home, { recursive: true, mode: 0o700 });
    const m = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=6m,mode=0700", "tmpfs", orch.home]);
    if (m.exitCode !== 0) throw new Error(`mount: ${m.stderr}`);
    await orch.startWithWorker("w1");
  });
  afterAll(async () => {
    free?.();
    await orch.run(["stop", "--kill-workers"], 20_000).catch(() => undefined);
    orch.tmux("kill-server");
    Bun.spawnSync(["umount", "-l", orch.home]);
    await orch.cleanup();
  }, 60_000);

  test("full before a send: the client hears 'disk full' with exit 3, and orch resumes by itself", async () => {
    const before = await orch.run(["send", "w1", task("before"), "--wait", "--timeout", "30"]);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain("done-before");

    free = fillDisk(orch.home);
    const refused = await orch.run(["send", "w1", task("refused"), "--wait", "--timeout", "10"]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`cannot write the store: disk full at ${orch.home}`);
    expect(refused.stderr).not.toContain("Internal Server Error");

    free();
    free = null;
    const pid = orch.controllerPid();
    const after = await waitFor(
      "a task taken after space came back",
      async () => {
        const r = await orch.run(["send", "w1", task("after"), "--wait", "--timeout", "30"]);
        return r.code === 0 ? r : null;
      },
      40_000,
    );
    expect(after.stdout).toContain("done-after");
    expect(orch.controllerPid()).toBe(pid);
    expect(count("refused")).toBe(0);
  }, 120_000);

  test("full while a task runs: its end is kept and stored once space is back; nothing runs twice", async () => {
    const filler = join(orch.home, "filler-mid");
    // the task fills the disk itself, then prints more than the store can take
    const mid = `${task("mid").replace("; head", `; head -c 100M /dev/zero > ${filler} 2>/dev/null; head`)}`;
    const r = await orch.run(["send", "w1", mid, "--wait", "--timeout", "30"], 60_000);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`cannot write the store: disk full at ${orch.home}`);
    // what the store holds now is what was committed: the task has not ended there
    const during = await orch.json<TaskJson[]>(["results"]);
    const stuck = during.find((t) => t.text?.includes("echo mid"));
    expect(stuck).toBeDefined();
    expect(FINAL).not.toContain(stuck!.status);
    // writes are refused, naming the cause
    const refused = await orch.run(["send", "w1", "echo no"]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("disk full");

    rmSync(filler, { force: true });
    const pid = orch.controllerPid();
    const done = await waitFor(
      "the task's end stored",
      async () => {
        const t = (await orch.json<TaskJson[]>(["results"])).find((x) => x.id === stuck!.id);
        return t && FINAL.includes(t.status) ? t : null;
      },
      40_000,
    );
    expect(done.status).toBe("succeeded");
    expect(done.output).toContain("done-mid");
    expect(orch.controllerPid()).toBe(pid);
    const next = await orch.run(["send", "w1", task("next"), "--wait", "--timeout", "30"]);
    expect(next.code).toBe(0);
    const st = await orch.json<{ workers: Array<{ name: string; state: string }> }>(["status"]);
    expect(st.workers.find((w) => w.name === "w1")?.state).toBe("idle");

    // after a restart the store holds the same: nothing was acknowledged that it does not hold
    const all = await orch.json<TaskJson[]>(["results"]);
    await orch.ok(["stop"]);
    await orch.ok(["start"]);
    const stored = await orch.json<TaskJson[]>(["results"]);
    expect(stored.map((t) => [t.id, t.status])).toEqual(all.map((t) => [t.id, t.status]));
    // a task run again after the restart would go before this one on the worker's queue
    expect((await orch.run(["send", "w1", task("last"), "--wait", "--timeout", "30"])).code).toBe(0);
    for (const label of ["before", "after", "mid", "next", "last"]) expect(count(label)).toBe(1);
  }, 120_000);

  test("orch stop works on a full disk, and the next start finds the store intact", async () => {
    const before = await orch.json<TaskJson[]>(["results"]);
    free = fillDisk(orch.home);
    expect((await orch.run(["send", "w1", "echo no"])).code).toBe(3);
    const stop = await orch.run(["stop"], 30_000);
    expect(stop.code).toBe(0);
    expect(orch.controllerPid()).toBeNull();
    free();
    free = null;
    await orch.ok(["start"]);
    const after = await orch.json<TaskJson[]>(["results"]);
    expect(after.map((t) => [t.id, t.status])).toEqual(before.map((t) => [t.id, t.status]));
  }, 60_000);
});
