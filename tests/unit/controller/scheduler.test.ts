/**
 * The scheduler with fakes: workers are runtimes on a scripted pane (one pane each), the task
 * flow and the store are real (in memory), starting a worker is a recorded call.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newTask } from "../../../src/core/controller/new-task.ts";
import { Scheduler, type SchedulerHost, type SubmitRequest } from "../../../src/core/controller/scheduler.ts";
import { TaskFlow } from "../../../src/core/controller/task-flow.ts";
import { TaskWaiters } from "../../../src/core/controller/task-waiters.ts";
import { WorkerRuntime } from "../../../src/core/controller/worker-runtime.ts";
import { type Config, DEFAULT_CONFIG } from "../../../src/core/domain/config.ts";
import { fail, ok, type Result } from "../../../src/core/domain/result.ts";
import type { Task, TaskPriority, Worker } from "../../../src/core/domain/types.ts";
import { openStore, type Store } from "../../../src/core/store/index.ts";
import { DEFAULT_MARKERS, FakePane, markerPlugin, markerRun } from "../../helpers/fake-pane.ts";
import { waitFor } from "../../helpers/orch-harness.ts";

const dirs = mkdtempSync(join(tmpdir(), "orch-sched-unit-"));
const P1 = join(dirs, "p1");
const P2 = join(dirs, "p2");
for (const d of [P1, P2]) mkdirSync(d);
afterAll(() => rmSync(dirs, { recursive: true, force: true }));

const PRIORITIES: Record<string, TaskPriority> = { critical: 1, high: 2, normal: 3, low: 4 };

/** Workers of types `ta` and `tb` on one scripted pane each, under a real scheduler. */
class Pool {
  readonly store: Store = openStore(":memory:");
  readonly pane = new FakePane();
  readonly runtimes = new Map<string, WorkerRuntime>();
  readonly flow: TaskFlow;
  readonly scheduler: Scheduler;
  readonly spawned: Array<[type: string, project: string]> = [];
  /** Where each started worker went. */
  readonly spawnedOn: string[] = [];
  hosts: SchedulerHost[] = [{ name: "local", labels: {}, maxWorkers: 64, online: true }];
  readonly finals: Task[] = [];
  /** What a start asked of the scheduler answers. */
  spawnAnswer: (type: string, project: string) => Promise<Result<Worker>> = () =>
    new Promise(() => undefined);
  private n = 0;

  constructor(config: Partial<Config> = {}) {
    const logger = { log: () => undefined };
    this.hosts[0]!.maxWorkers = config.maxWorkers ?? DEFAULT_CONFIG.maxWorkers;
    this.flow = new TaskFlow({
      store: this.store,
      logger,
      markers: DEFAULT_MARKERS,
      waiters: new TaskWaiters(),
      ops: () => this.pane,
      retry: { maxRetries: 0, backoffFactor: 2, baseDelayMs: 10, maxDelayMs: 100 },
      onFinal: (t) => this.finals.push(t),
      wakeAt: (at) => this.scheduler.wakeAt(at),
    });
    this.scheduler = new Scheduler({
      store: this.store,
      config: { ...DEFAULT_CONFIG, autoWorkers: 0, defaultAgent: "ta", ...config },
      logger,
      flow: this.flow,
      runtimes: () => this.runtimes.values(),
      pluginNames: () => ["ta", "tb"],
      spawn: (type, project, host) => {
        this.spawned.push([type, project]);
        this.spawnedOn.push(host);
        return this.spawnAnswer(type, project);
      },
      hosts: () => this.hosts,
    });
  }

  /** A worker of `type` in `project`; ready unless told it is busy with something else. */
  worker(name: string, type: string, project: string, ready = true, host = "local"): WorkerRuntime {
    const paneId = `%${++this.n}`;
    const id = crypto.randomUUID();
    this.store.workers.insert({
      id,
      name,
      type,
      project,
      worktree: null,
      state: "idle",
      paneId,
      currentTask: null,
      restarts: 0,
      createdAt: Date.now(),
      host,
      error: null,
    });
    const rt = new WorkerRuntime(id, name, markerPlugin({ name: type }), /\$ $/);
    rt.host = host;
    rt.hostLabels = JSON.stringify(this.hosts.find((h) => h.name === host)?.labels ?? {});
    rt.paneId = paneId;
    rt.project = project;
    rt.phase = ready ? "ready" : "busy";
    this.runtimes.set(name, rt);
    return rt;
  }

  submit(req: Partial<SubmitRequest> & { priority?: TaskPriority }): Result<Task[]> {
    return this.store.transaction(() => this.scheduler.submit([{ text: "t", ...req }]));
  }

  /** The texts pasted into a worker's pane, in order. */
  pasted(rt: WorkerRuntime): string[] {
    return this.pane.strokes.flatMap((s) => (s.op === "paste" && s.paneId === rt.paneId ? [s.text] : []));
  }

  /** The worker's task ends with exit 0 and its prompt is back (it takes its next task). */
  finish(rt: WorkerRuntime): void {
    const id = rt.currentTaskId!;
    this.store.transaction(() => {
      this.flow.onText(rt, markerRun(id, "ok\n", 0));
      this.flow.flushIdle();
    });
  }

  close(): void {
    this.scheduler.close();
    for (const rt of this.runtimes.values()) rt.clearTimer();
    this.store.close();
  }
}

const pools: Pool[] = [];
function pool(config: Partial<Config> = {}): Pool {
  const p = new Pool(config);
  pools.push(p);
  return p;
}
afterEach(() => {
  for (const p of pools.splice(0)) p.close();
});

const one = (r: Result<Task[]>): Task => {
  if (!r.ok) throw new Error(r.error);
  return r.value[0]!;
};

describe("Scheduler: routing", () => {
  test("a task goes to an idle worker of its type, at once", () => {
    const p = pool();
    const a = p.worker("a", "ta", P1);
    const b = p.worker("b", "tb", P1);
    const t = one(p.submit({ text: "for b", type: "tb" }));
    expect(t).toMatchObject({ status: "dispatched", worker: "b", agentType: "tb" });
    expect(p.pasted(b)).toEqual(["setup; run for b"]);
    expect(p.pasted(a)).toEqual([]);
  });

  test("a route maps a task type or a tag to an agent type; no type takes the default", () => {
    const p = pool({ routes: { review: "tb", "tag:docs": "ta" } });
    p.worker("a", "ta", P1);
    p.worker("b", "tb", P1);
    expect(one(p.submit({ type: "review" })).worker).toBe("b");
    expect(one(p.submit({ tags: ["docs"] })).worker).toBe("a");
    p.finish(p.runtimes.get("a")!);
    expect(one(p.submit({})).worker).toBe("a");
  });

  test("a task for a project goes only to a worker in that project", () => {
    const p = pool();
    p.worker("a1", "ta", P1);
    p.worker("a2", "ta", P2);
    const t = one(p.submit({ type: "ta", project: P2 }));
    expect(t).toMatchObject({ worker: "a2", project: P2 });
  });

  test("a worker in another project does not fit: one is started in the task's project", () => {
    const p = pool({ autoWorkers: 1 });
    const a = p.worker("a1", "ta", P1);
    const t = one(p.submit({ type: "ta", project: P2 }));
    expect(t.status).toBe("queued");
    expect(p.spawned).toEqual([["ta", P2]]);
    expect(p.pasted(a)).toEqual([]);
    const none = pool({ autoWorkers: 0 });
    none.worker("a1", "ta", P1);
    expect(none.submit({ type: "ta", project: P2 }).ok).toBe(false);
  });

  test("an unknown type, a missing project and an over-long text are refused, naming them", () => {
    const p = pool({ maxTaskBytes: 10 });
    p.worker("a", "ta", P1);
    const bad = [
      p.submit({ type: "nope" }),
      p.submit({ type: "ta", project: join(dirs, "missing") }),
      p.submit({ type: "ta", text: "x".repeat(11) }),
    ];
    for (const r of bad) expect(r.ok).toBe(false);
    expect(bad.map((r) => (r.ok ? "" : r.code))).toEqual(["bad_input", "bad_input", "bad_input"]);
    expect(bad[0]!.ok || bad[0]!.error).toMatch(/nope/);
    expect(bad[1]!.ok || bad[1]!.error).toBe(`project directory "${join(dirs, "missing")}" does not exist`);
    expect(p.store.tasks.list({})).toEqual([]);
  });

  test("with no fitting worker and autoWorkers 0 the task is refused, saying how to add one", () => {
    const p = pool({ autoWorkers: 0 });
    p.worker("a", "ta", P1);
    const r = p.submit({ type: "tb", project: P1 });
    expect(r.ok).toBe(false);
    expect(r.ok || r.error).toBe(
      `no tb worker for project ${P1}, and autoWorkers is 0 so orch does not start one: run orch add-worker --type tb --project ${P1}`,
    );
  });

  test("a group is refused whole when one of its tasks is bad; other groups go on", () => {
    const p = pool();
    p.worker("a", "ta", P1);
    const [bad, good] = p.store.transaction(() =>
      p.scheduler.submitGroups([
        [
          { text: "fine", type: "ta" },
          { text: "wrong", type: "nope" },
        ],
        [{ text: "alone", type: "ta" }],
      ]),
    );
    expect(bad!.ok || bad!.error).toMatch(/^task 2: /);
    expect(good!.ok && good!.value.map((t) => t.text)).toEqual(["alone"]);
    expect(p.store.tasks.list({}).map((t) => t.text)).toEqual(["alone"]);
  });

  test("past maxQueuedTasks a submit is refused", () => {
    const p = pool({ maxQueuedTasks: 2 });
    p.worker("a", "ta", P1, false);
    expect(p.submit({ type: "ta" }).ok).toBe(true);
    expect(p.submit({ type: "ta" }).ok).toBe(true);
    const r = p.submit({ type: "ta" });
    expect(r.ok || r.code).toBe("conflict");
  });
});

describe("Scheduler: priorities", () => {
  test("a free worker takes the most urgent task first, and tasks of one priority in the order they came", () => {
    const p = pool();
    const a = p.worker("a", "ta", P1, false);
    for (const [text, prio] of [
      ["low", "low"],
      ["normal-1", "normal"],
      ["critical", "critical"],
      ["normal-2", "normal"],
      ["high", "high"],
    ] as const)
      expect(one(p.submit({ text, type: "ta", priority: PRIORITIES[prio] })).status).toBe("queued");
    a.phase = "ready";
    p.scheduler.pumpAll();
    for (let i = 0; i < 4; i++) p.finish(a);
    expect(p.pasted(a).map((t) => t.replace(/^(setup; )?run /, ""))).toEqual([
      "critical",
      "high",
      "normal-1",
      "normal-2",
      "low",
    ]);
  });

  test("a task that waited long enough goes before a more urgent one submitted later (aging)", () => {
    const p = pool({ priorityAging: 60 });
    const a = p.worker("a", "ta", P1, false);
    const now = Date.now();
    // a low task submitted 4 minutes ago counts as critical submitted a minute ago
    const old = newTask({
      text: "old low",
      timeoutMs: 1000,
      agentType: "ta",
      priority: 4,
      submittedAt: now - 240_000,
    });
    p.store.tasks.insert({ ...old, rank: now - 240_000 + 3 * 60_000 });
    one(p.submit({ text: "new critical", type: "ta", priority: 1 }));
    a.phase = "ready";
    p.scheduler.pumpAll();
    expect(p.pasted(a)).toEqual(["setup; run old low"]);
  });
});

describe("Scheduler: starting workers and waking up", () => {
  test("with no free worker it starts up to autoWorkers of the pool, not more than there is work", () => {
    const p = pool({ autoWorkers: 2 });
    one(p.submit({ type: "tb", project: P2 }));
    expect(p.spawned).toEqual([["tb", P2]]);
    one(p.submit({ type: "tb", project: P2 }));
    one(p.submit({ type: "tb", project: P2 }));
    expect(p.spawned).toEqual([
      ["tb", P2],
      ["tb", P2],
    ]);
  });

  test("a started worker takes the queued task once it is ready", async () => {
    const p = pool({ autoWorkers: 1 });
    p.spawnAnswer = async (type, project) => {
      const rt = p.worker("b1", type, project);
      p.scheduler.pumpAll();
      return ok(p.store.workers.get(rt.name)!);
    };
    const t = one(p.submit({ text: "work", type: "tb", project: P1 }));
    await waitFor("the task dispatched", () => p.store.tasks.get(t.id)?.status === "dispatched", 1000);
    expect(p.store.tasks.get(t.id)?.worker).toBe("b1");
  });

  test("when no worker can be started, the pool's queued tasks are cancelled with the reason", async () => {
    const p = pool({ autoWorkers: 1 });
    p.spawnAnswer = async () => fail("unavailable", "command not found: tb");
    const t = one(p.submit({ type: "tb", project: P1 }));
    await waitFor("the task cancelled", () => p.store.tasks.get(t.id)?.status === "cancelled", 1000);
    expect(p.store.tasks.get(t.id)).toMatchObject({
      status: "cancelled",
      error: "no worker could be started for it: command not found: tb",
    });
    expect(p.finals.map((f) => f.id)).toEqual([t.id]);
  });

  test("within maxWorkers it starts none, and a task no worker could take is refused", () => {
    const p = pool({ autoWorkers: 2, maxWorkers: 1 });
    p.worker("a", "ta", P1);
    const r = p.submit({ type: "tb", project: P1 });
    expect(r.ok || r.error).toMatch(/^no tb worker for project .* is running and none may be started: /);
    expect(p.spawned).toEqual([]);
  });

  test("a retry that must wait is delivered once its time comes", async () => {
    const p = pool();
    const a = p.worker("a", "ta", P1);
    const t = p.store.tasks.insert({
      ...newTask({ text: "later", timeoutMs: 1000, agentType: "ta" }),
      notBefore: Date.now() + 60,
    });
    p.scheduler.pumpAll();
    expect(p.pasted(a)).toEqual([]);
    p.scheduler.wakeAt(t.notBefore + 10_000); // a later wake-up is replaced by the earlier one
    p.scheduler.wakeAt(t.notBefore);
    await p.pane.waitForStroke((s) => s.op === "paste", 1000, "the retry's paste");
    expect(p.store.tasks.get(t.id)?.status).toBe("dispatched");
  });
});

describe("Scheduler: hosts", () => {
  const withHosts = (p: Pool) => {
    p.hosts = [
      { name: "local", labels: {}, maxWorkers: 64, online: true },
      { name: "h1", labels: { gpu: "1" }, maxWorkers: 2, online: true },
      { name: "h2", labels: { gpu: "1" }, maxWorkers: 2, online: true },
      { name: "h3", labels: { gpu: "1" }, maxWorkers: 2, online: false },
    ];
    return p;
  };

  test("a task for a host is taken only by a worker there; one for labels only where the host has them", () => {
    const p = withHosts(pool());
    const here = p.worker("l", "ta", P1);
    const onH1 = p.worker("r1", "ta", P1, true, "h1");
    const t = one(p.submit({ type: "ta", host: "h1" }));
    expect(p.store.tasks.get(t.id)?.worker).toBe("r1");
    expect(p.store.tasks.get(t.id)?.host).toBe("h1");
    p.finish(onH1);
    const g = one(p.submit({ type: "ta", labels: { gpu: "1" } }));
    expect(p.store.tasks.get(g.id)?.worker).toBe("r1");
    expect(here.currentTaskId).toBeNull();
    const anywhere = one(p.submit({ type: "ta" }));
    expect(p.store.tasks.get(anywhere.id)?.worker).toBe("l");
  });

  test("workers for labelled tasks start on the least loaded online hosts that have them, so work spreads", () => {
    const p = withHosts(pool({ autoWorkers: 4 }));
    p.worker("r1", "ta", "/srv/app", false, "h1");
    for (let i = 0; i < 4; i++) one(p.submit({ type: "ta", project: "/srv/app", labels: { gpu: "1" } }));
    // one worker per task beyond the busy r1 on h1: h2 first (empty), then h1 and h2 at one
    // each (a tie: the first listed), then h2 (h1 is full at its 2); h3 is offline
    expect(p.spawnedOn).toEqual(["h2", "h1", "h2"]);
  });

  test("a worker that cannot be started on one host is started on another that fits; the task waits for it", async () => {
    const p = withHosts(pool({ autoWorkers: 1 }));
    p.spawnAnswer = async (type, project) => {
      const host = p.spawnedOn.at(-1)!;
      if (host === "h1") return fail("unavailable", "host h1 is offline now");
      const rt = p.worker("g", type, project, true, host);
      p.scheduler.pumpAll();
      return ok(p.store.workers.get(rt.name)!);
    };
    const t = one(p.submit({ type: "ta", project: "/srv/ml", labels: { gpu: "1" } }));
    await waitFor("the task dispatched", () => p.store.tasks.get(t.id)?.status === "dispatched", 1000);
    expect(p.spawnedOn).toEqual(["h1", "h2"]);
    expect(p.store.tasks.get(t.id)).toMatchObject({ worker: "g", host: "h2" });
  });

  test("an unknown host, and a relative project for another host, are refused naming them", () => {
    const p = withHosts(pool({ autoWorkers: 1 }));
    const unknown = p.submit({ type: "ta", host: "nope", project: "/srv/app" });
    expect(unknown.ok ? "" : unknown.error).toContain('"nope"');
    const rel = p.submit({ type: "ta", host: "h1", project: "rel/dir" });
    expect(rel.ok ? "" : rel.error).toContain("rel/dir");
    const offline = p.submit({ type: "ta", host: "h3", project: "/srv/app" });
    expect(offline.ok ? "" : offline.error).toContain("on host h3");
  });
});
