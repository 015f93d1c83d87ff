/**
 * Fault injection on the controller (compiled binary, real tmux): kill -9 at ten moments of a
 * 300-task run, SIGTERM during a run, tmux kill-server during a run, and a store that cannot
 * be opened. Afterwards every task is accounted for exactly once: final, with its own output,
 * and run once (each task appends its number to a file); after kill-server, a task that had
 * begun fails rather than run twice.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { alive, OrchHarness, type StatusJson, type TaskJson, waitFor } from "../helpers/orch-harness.ts";

const WORKERS = ["w1", "w2", "w3", "w4"];

/** Queues `n` numbered tasks round-robin over the workers; each appends its number to `runs`. */
async function queueNumbered(orch: OrchHarness, first: number, n: number, runs: string, pause = "0.05") {
  const ids = new Map<string, number>();
  const sends = [];
  for (let i = first; i < first + n; i++) {
    const worker = WORKERS[i % WORKERS.length]!;
    const text = `sleep ${pause}; echo ${i} >> ${runs}; echo out-${i}`;
    sends.push(
      orch.api<TaskJson>("POST", "/v1/tasks", { worker, text, timeoutSec: 120 }).then((r) => {
        expect(r.status).toBe(201);
        ids.set(r.body.id, i);
      }),
    );
  }
  await Promise.all(sends);
  return ids;
}

async function finishedCount(orch: OrchHarness): Promise<number> {
  const r = await orch.api<TaskJson[]>("GET", "/v1/tasks?status=succeeded,failed,timed_out,cancelled");
  return r.body.length;
}

/** Every task final and succeeded with its own output; every number in `runs` exactly once. */
async function expectExactlyOnce(orch: OrchHarness, ids: Map<string, number>, runs: string) {
  for (const [id, n] of ids) {
    const t = await orch.waitTask(id, 120_000);
    expect({ n, status: t.status, output: t.output }).toEqual({
      n,
      status: "succeeded",
      output: `out-${n}\n`,
    });
  }
  const lines = readFileSync(runs, "utf8").trim().split("\n").map(Number);
  const want = [...ids.values()].sort((a, b) => a - b);
  expect(lines.sort((a, b) => a - b)).toEqual(want);
}

async function killHard(orch: OrchHarness): Promise<void> {
  const pid = orch.controllerPid();
  expect(pid).toBeGreaterThan(0);
  process.kill(pid!, "SIGKILL");
  await waitFor(`controller ${pid} gone`, () => !alive(pid!));
}

describe("controller faults (compiled binary)", () => {
  const orch = new OrchHarness("dist");
  let project = "";
  beforeAll(async () => {
    project = await orch.startWithWorker(WORKERS[0]!);
    for (const w of WORKERS.slice(1))
      await orch.ok(["add-worker", "--type", "shell", "--project", project, "--name", w]);
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("kill -9 of the controller at ten moments of a 300-task run: each task recorded once, none run twice", async () => {
    const runs = join(project, "runs-kill9.txt");
    writeFileSync(runs, "");
    const ids = await queueNumbered(orch, 0, 300, runs);
    for (let k = 1; k <= 10; k++) {
      // a different moment each time: after some more tasks have finished
      await waitFor(
        `${k * 25} tasks finished before kill ${k}`,
        async () => (await finishedCount(orch)) >= k * 25,
        60_000,
      );
      await killHard(orch);
      await orch.ok(["start"]);
    }
    await expectExactlyOnce(orch, ids, runs);
    const st = await orch.json<StatusJson>(["status"]);
    expect(st.workers.map((w) => w.state)).toEqual(["idle", "idle", "idle", "idle"]);
    expect(st.workers.map((w) => w.restarts)).toEqual([0, 0, 0, 0]);
  }, 240_000);

  test("SIGTERM during a run: the daemon exits within seconds, agents keep running, the next start finishes the run", async () => {
    const runs = join(project, "runs-term.txt");
    writeFileSync(runs, "");
    const before = await orch.json<StatusJson>(["status"]);
    const base = await finishedCount(orch);
    const ids = await queueNumbered(orch, 1000, 40, runs, "0.2");
    await waitFor("some tasks done", async () => (await finishedCount(orch)) >= base + 5);
    const pid = orch.controllerPid()!;
    process.kill(pid, "SIGTERM");
    // "within a few seconds": the wait's deadline is the check
    await waitFor("the daemon gone within 5 s of SIGTERM", () => !alive(pid), 5_000);
    // the agents were left running, in the same panes
    const panes = orch.tmux("list-panes", "-a", "-F", "#{pane_id} #{pane_dead}").stdout;
    for (const w of before.workers) expect(panes).toContain(`${w.paneId} 0`);
    await orch.ok(["start"]);
    await expectExactlyOnce(orch, ids, runs);
  }, 120_000);

  test("tmux kill-server during a run: all workers come back, none runs twice, a task that had begun fails saying why", async () => {
    const runs = join(project, "runs-server.txt");
    writeFileSync(runs, "");
    const pid = orch.controllerPid();
    const base = await finishedCount(orch);
    const ids = await queueNumbered(orch, 2000, 60, runs, "0.1");
    await waitFor("some tasks done", async () => (await finishedCount(orch)) >= base + 8);
    expect(orch.tmux("kill-server").code).toBe(0);
    const lines = await (async () => {
      for (const id of ids.keys()) await orch.waitTask(id, 120_000);
      return readFileSync(runs, "utf8").trim().split("\n").map(Number);
    })();
    expect(lines.length).toBe(new Set(lines).size); // none ran twice
    let lost = 0;
    for (const [id, n] of ids) {
      const t = await orch.waitTask(id, 1000);
      if (t.status === "succeeded") {
        expect({ n, output: t.output, ran: lines.includes(n) }).toEqual({
          n,
          output: `out-${n}\n`,
          ran: true,
        });
        continue;
      }
      // in flight when the server went away: it may have partly run, so it is not run again
      lost++;
      expect({ n, status: t.status, attempts: t.attempts }).toEqual({ n, status: "failed", attempts: 1 });
      expect(t.error).toContain("not run again, as it may have done part of its work");
    }
    expect(lost).toBeLessThanOrEqual(WORKERS.length);
    const st = await orch.json<StatusJson>(["status"]);
    expect(st.workers.map((w) => [w.name, w.state])).toEqual(WORKERS.map((w) => [w, "idle"]));
    expect(orch.controllerPid()).toBe(pid);
  }, 120_000);
});

describe("a store that cannot be opened", () => {
  const orch = new OrchHarness("dist");
  afterAll(() => orch.cleanup(), 30_000);

  test("start refuses in one line naming the file and how to restore it", async () => {
    const { mkdirSync } = await import("node:fs");
    mkdirSync(orch.home, { recursive: true, mode: 0o700 });
    const db = join(orch.home, "orch.db");
    writeFileSync(db, "this is not a database\n".repeat(200), { mode: 0o600 });
    const r = await orch.run(["start"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(db);
    expect(r.stderr).toContain("orch restore FILE");
    expect(r.stderr).not.toContain("    at ");
  });
});
