/**
 * A big queue: the time the scheduler takes to pick a worker's next task with many tasks
 * queued (`store.tasks.nextFor`, in-process, against a naive full scan sorted in JS).
 */
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { newTask } from "../src/core/controller/new-task.ts";
import type { TaskPriority } from "../src/core/domain/types.ts";
import { openStore, type QueueTaker, type Store } from "../src/core/store/index.ts";
import type { TaskRow } from "../src/core/store/task-row.ts";
import { type LatencySummary, summarize } from "./stats.ts";
import { taskText, tempDir } from "./workload.ts";

/** `nextFor` against the naive pick, both over the same queue. */
export interface QueuePickResult {
  queued: number;
  /** Writing the queue in one transaction, in seconds. */
  seedSeconds: number;
  /** `store.tasks.nextFor`, in ms. */
  pick: LatencySummary;
  /** Every queued row read, the taker's filtered and sorted in JS, in ms. */
  naive: LatencySummary;
}

const TYPES = ["shell", "claude", "gpt", "gemini"];
const PROJECTS = ["/srv/api", "/srv/web", "/srv/infra", "/srv/docs", "/srv/ml"];
const WORKERS = Array.from({ length: 16 }, (_, i) => `w${i}`);

/** A small deterministic PRNG (mulberry32), so every run queues the same tasks. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Queues `n` tasks in one transaction: mixed priorities, 4 agent types, 5 projects or none,
 * one in 10 sent to a named worker, one in 100 a retry still waiting.
 */
function seedQueued(store: Store, n: number, now: number): void {
  const r = random(1);
  const pickOf = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  store.transaction(() => {
    for (let i = 0; i < n; i++) {
      const targeted = r() < 0.1;
      store.tasks.insert(
        newTask({
          text: taskText(i),
          timeoutMs: 60_000,
          priority: (1 + Math.floor(r() * 4)) as TaskPriority,
          submittedAt: now - Math.floor(r() * 3_600_000),
          worker: targeted ? pickOf(WORKERS) : null,
          agentType: targeted ? null : pickOf(TYPES),
          project: targeted || r() < 0.2 ? null : pickOf(PROJECTS),
          notBefore: r() < 0.01 ? now + 600_000 : 0,
        }),
      );
    }
  });
}

/** The taker's next task the naive way: every queued row, filtered and sorted in JS. */
function naivePick(db: Database, t: QueueTaker, now: number): TaskRow | null {
  const rows = db.query<TaskRow, []>("SELECT * FROM tasks WHERE status = 'queued'").all();
  const mine = rows.filter(
    (x) =>
      x.not_before <= now &&
      (x.worker === t.worker ||
        (x.worker === null && x.agent_type === t.type && (x.project === null || x.project === t.project))),
  );
  mine.sort((a, b) => a.rank - b.rank || a.seq - b.seq);
  return mine[0] ?? null;
}

/** Milliseconds each call of `fn` takes, `runs` times, after `warm` untimed calls. */
function timeCalls(runs: number, warm: number, fn: (i: number) => unknown): number[] {
  for (let i = 0; i < warm; i++) fn(i);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn(i);
    times.push(performance.now() - t0);
  }
  return times;
}

/**
 * Queues `queued` tasks in a temp store, then times `calls` picks and `naiveCalls` naive ones.
 *
 * @example
 * const r = runQueuePick(100_000);
 * console.log(`nextFor p50 ${r.pick.p50.toFixed(3)} ms, naive p50 ${r.naive.p50.toFixed(0)} ms`);
 */
export function runQueuePick(queued: number, calls = 500, naiveCalls = 5): QueuePickResult {
  const tmp = tempDir("orch-bench-queue-");
  const file = join(tmp.dir, "orch.db");
  const store = openStore(file, { durability: "normal" });
  let db: Database | null = null;
  try {
    const now = Date.now();
    const t0 = performance.now();
    seedQueued(store, queued, now);
    const seedSeconds = (performance.now() - t0) / 1000;
    const taker = (i: number): QueueTaker => ({
      worker: WORKERS[i % WORKERS.length]!,
      type: TYPES[i % TYPES.length]!,
      project: PROJECTS[i % PROJECTS.length]!,
      host: "local",
      labels: "{}",
    });
    const pick = timeCalls(calls, 20, (i) => store.tasks.nextFor(taker(i), now));
    db = new Database(file, { readonly: true });
    const reader = db;
    const naive = timeCalls(naiveCalls, 1, (i) => naivePick(reader, taker(i), now));
    return { queued, seedSeconds, pick: summarize(pick), naive: summarize(naive) };
  } finally {
    db?.close();
    store.close();
    tmp.remove();
  }
}
