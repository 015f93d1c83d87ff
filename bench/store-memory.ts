/**
 * Memory of the controller with a large store: RSS after a few tasks on a store holding
 * BENCH_QUEUE_SIZE finished tasks, beside the same on an empty store.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { newTask } from "../src/core/controller/new-task.ts";
import { openStore } from "../src/core/store/index.ts";
import { FINAL, type OrchInstance, startOrch, type TaskJson } from "./orch.ts";
import { taskText } from "./workload.ts";

const WORKERS = Array.from({ length: 16 }, (_, i) => `w${i}`);

/** The controller's memory after a few tasks, on a store with `storedTasks` and on an empty one. */
export interface StoreMemoryResult {
  storedTasks: number;
  /** The seeded store file, in MB. */
  dbMB: number;
  empty: { rssMB: number; peakRssMB: number };
  full: { rssMB: number; peakRssMB: number };
}

/** Writes `n` finished tasks (short outputs, spread over 16 workers) in one transaction. */
function seedFinished(file: string, n: number): void {
  const store = openStore(file, { durability: "normal" });
  try {
    const start = Date.now() - n * 50;
    store.transaction(() => {
      for (let i = 0; i < n; i++) {
        const at = start + i * 50;
        store.tasks.insert(
          newTask({
            text: taskText(i),
            timeoutMs: 60_000,
            worker: WORKERS[i % WORKERS.length]!,
            status: "succeeded",
            exitCode: 0,
            output: `task-${i}\nT=${(at / 1000).toFixed(6)}\n`,
            submittedAt: at - 20,
            startedAt: at - 10,
            finishedAt: at,
            attempts: 1,
          }),
        );
      }
    });
  } finally {
    store.close();
  }
}

function statusMB(pid: number, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** One task sent to `worker` and one pool task, each waited for; throws unless both succeed. */
async function twoTasks(o: OrchInstance, worker: string, i: number): Promise<void> {
  const done = await Promise.all([
    o.api<TaskJson>("POST", "/v1/tasks?wait=60000", { worker, text: taskText(i), timeoutSec: 60 }),
    o.api<TaskJson>("POST", "/v1/submit?wait=60000", {
      text: taskText(i + 1),
      type: "shell",
      project: o.home,
    }),
  ]);
  const bad = done.find((t) => !FINAL.has(t.status) || t.status !== "succeeded");
  if (bad) throw new Error(`memory bench: task ${bad.id} ended ${bad.status}: ${bad.error ?? ""}`);
}

/**
 * orch restarted on its home after `seed` wrote the store (a no-op for the empty store), one
 * shell worker, 20 tasks, a task list and a status: the controller's VmRSS and VmHWM.
 */
async function rssAfterTasks(bin: string, seed: (dbFile: string) => void) {
  const o = await startOrch(bin, { ORCH_AUTO_WORKERS: "0" });
  let pid = o.pid;
  try {
    const stopped = await o.cli("stop", "--kill-workers");
    if (stopped.code !== 0) throw new Error(`orch stop failed (${stopped.code}): ${stopped.stderr}`);
    seed(join(o.home, "orch.db"));
    const dbMB = statSync(join(o.home, "orch.db")).size / 1024 / 1024;
    const started = await o.cli("start");
    if (started.code !== 0) throw new Error(`orch start failed (${started.code}): ${started.stderr}`);
    pid = (JSON.parse((await o.cli("status", "--json")).stdout) as { controller: { pid: number } }).controller
      .pid;
    const [worker] = await o.addShellWorkers(1, "m");
    for (let i = 0; i < 10; i++) await twoTasks(o, worker!, 2 * i);
    await o.api("GET", "/v1/tasks?limit=20");
    await o.api("GET", "/v1/status");
    await Bun.sleep(1000); // let the last requests' garbage go
    return { dbMB, rssMB: statusMB(pid, "VmRSS"), peakRssMB: statusMB(pid, "VmHWM") };
  } finally {
    await o.close();
    try {
      process.kill(pid, 0);
      process.kill(pid, "SIGKILL");
    } catch {}
  }
}

/**
 * The controller's memory with `storedTasks` finished tasks in its store, and with none.
 *
 * @example
 * const m = await runStoreMemory("dist/orch", 100_000);
 * console.log(`${m.full.rssMB.toFixed(1)} MB vs ${m.empty.rssMB.toFixed(1)} MB empty`);
 */
export async function runStoreMemory(bin: string, storedTasks: number): Promise<StoreMemoryResult> {
  const empty = await rssAfterTasks(bin, () => {});
  const full = await rssAfterTasks(bin, (file) => seedFinished(file, storedTasks));
  return {
    storedTasks,
    dbMB: full.dbMB,
    empty: { rssMB: empty.rssMB, peakRssMB: empty.peakRssMB },
    full: { rssMB: full.rssMB, peakRssMB: full.peakRssMB },
  };
}
