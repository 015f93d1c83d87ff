import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { snapshotFromStats, snapshotProcesses, treeUsage } from "../../../../src/core/runtime/proc-tree.ts";
import { fakeProcRoot } from "./fake-proc.ts";

const fake = fakeProcRoot();
afterAll(fake.cleanup);
fake.add({ pid: 1, comm: "init", ppid: 0, utime: 1, stime: 1, rss: 10 });
fake.add({ pid: 100, comm: "bash", ppid: 1, utime: 10, stime: 5, rss: 100 });
fake.add({ pid: 101, comm: "node", ppid: 100, utime: 200, stime: 50, rss: 1000 });
fake.add({ pid: 102, comm: "weird ) (name", ppid: 101, utime: 3, stime: 2, rss: 20 });
fake.add({ pid: 103, comm: "sh", ppid: 100, utime: 0, stime: 0, rss: 4 });
fake.add({ pid: 200, comm: "other", ppid: 1, utime: 7, stime: 7, rss: 70 });
fake.add({ pid: 201, comm: "other child", ppid: 200, utime: 7, stime: 7, rss: 70 });
mkdirSync(join(fake.root, "104")); // vanished: its folder is there, its stat is not
mkdirSync(join(fake.root, "105"));
writeFileSync(join(fake.root, "105", "stat"), "garbage"); // unparseable
mkdirSync(join(fake.root, "self"));
writeFileSync(join(fake.root, "meminfo"), "MemTotal: 1 kB\n");

describe("snapshotProcesses on a fake /proc", () => {
  test("reads every process, skipping vanished ones and non-pid entries", () => {
    const snap = snapshotProcesses(fake.root);
    expect([...snap.keys()].sort((a, b) => a - b)).toEqual([1, 100, 101, 102, 103, 200, 201]);
    expect(snap.get(102)).toEqual({ pid: 102, ppid: 101, rssBytes: 20 * 4096, cpuMs: 50 });
    expect(snap.get(101)).toEqual({ pid: 101, ppid: 100, rssBytes: 1000 * 4096, cpuMs: 2500 });
  });

  test("clock ticks and page size can be given", () => {
    const snap = snapshotProcesses(fake.root, { clockTicksPerSec: 250, pageSize: 16384 });
    expect(snap.get(101)).toEqual({ pid: 101, ppid: 100, rssBytes: 1000 * 16384, cpuMs: 1000 });
  });

  test("a missing procRoot is an Error naming it", () => {
    const missing = join(fake.root, "nope");
    expect(() => snapshotProcesses(missing)).toThrow(`cannot list processes in ${missing}`);
  });
});

describe("snapshotFromStats: another host's /proc read in one go", () => {
  test("the stat files one after another give the same snapshot as reading them here", () => {
    const text = readdirSync(fake.root)
      .filter((n) => /^\d+$/.test(n))
      .map((n) => {
        try {
          return readFileSync(join(fake.root, n, "stat"), "utf8").trimEnd();
        } catch {
          return "";
        }
      })
      .join("\n");
    expect(snapshotFromStats(text)).toEqual(snapshotProcesses(fake.root));
    expect(snapshotFromStats("")).toEqual(new Map());
  });
});

describe("treeUsage", () => {
  const snap = snapshotProcesses(fake.root);

  test("sums the root and all its descendants, root first", () => {
    const usage = treeUsage(snap, 100)!;
    expect(usage.pids[0]).toBe(100);
    expect(usage.pids.slice(1).sort((a, b) => a - b)).toEqual([101, 102, 103]);
    expect(usage.pids.indexOf(102)).toBeGreaterThan(usage.pids.indexOf(101)); // breadth-first
    expect(usage.rssBytes).toBe((100 + 1000 + 20 + 4) * 4096);
    expect(usage.cpuMs).toBe((15 + 250 + 5 + 0) * 10);
    expect(treeUsage(snap, 102)).toEqual({ pids: [102], rssBytes: 20 * 4096, cpuMs: 50 });
    expect(treeUsage(snap, 1)?.pids.sort((a, b) => a - b)).toEqual([1, 100, 101, 102, 103, 200, 201]);
  });

  test("null for a root not in the snapshot", () => {
    expect(treeUsage(snap, 104)).toBeNull();
    expect(treeUsage(snap, 999)).toBeNull();
  });

  test("a cycle in a malformed snapshot does not loop", () => {
    const cyclic = new Map([
      [5, { pid: 5, ppid: 6, rssBytes: 1, cpuMs: 1 }],
      [6, { pid: 6, ppid: 5, rssBytes: 2, cpuMs: 2 }],
    ]);
    expect(treeUsage(cyclic, 5)).toEqual({ pids: [5, 6], rssBytes: 3, cpuMs: 3 });
  });
});

describe("on this machine's /proc", () => {
  test("finds a shell and its two children", async () => {
    const proc = Bun.spawn(["sh", "-c", "sleep 30 & sleep 30 & echo ready; wait"], { stdout: "pipe" });
    try {
      // "ready" is printed after both forks, so all three processes exist by then
      let out = "";
      const dec = new TextDecoder();
      for await (const chunk of proc.stdout) {
        out += dec.decode(chunk);
        if (out.includes("ready")) break;
      }
      const snap = snapshotProcesses();
      expect(snap.get(proc.pid)?.ppid).toBe(process.pid);
      const usage = treeUsage(snap, proc.pid);
      expect(usage).not.toBeNull();
      expect(usage!.pids[0]).toBe(proc.pid);
      expect(usage!.pids.length).toBeGreaterThanOrEqual(3);
      expect(usage!.rssBytes).toBeGreaterThan(0);
      expect(treeUsage(snap, process.pid)!.pids).toContain(proc.pid);
    } finally {
      const tree = treeUsage(snapshotProcesses(), proc.pid);
      for (const pid of tree?.pids.slice(1) ?? []) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
      proc.kill("SIGKILL");
      await proc.exited;
    }
  });
});
