/**
 * The health pass with fakes: panes come from a scripted pane's list, processes are alive or
 * not as the test says, the clock is the test's, revive/probe/markDead are recorded calls; the
 * store is real (in memory).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { HealthPass, type HealthPassDeps } from "../../../src/core/controller/health-pass.ts";
import { WorkerRuntime } from "../../../src/core/controller/worker-runtime.ts";
import { type Config, DEFAULT_CONFIG } from "../../../src/core/domain/config.ts";
import { fail, ok, type Result } from "../../../src/core/domain/result.ts";
import type { Worker } from "../../../src/core/domain/types.ts";
import { openStore, type Store, workerEvent } from "../../../src/core/store/index.ts";
import { FakePane, markerPlugin } from "../../helpers/fake-pane.ts";
import { waitFor } from "../../helpers/orch-harness.ts";

const T0 = 1_800_000_000_000;

/** One worker `w` on pane %1 (pid 4242), and a health pass over it with every side effect faked. */
class Ward {
  readonly store: Store = openStore(":memory:");
  readonly pane = new FakePane();
  readonly rt: WorkerRuntime;
  readonly pass: HealthPass;
  clock = T0;
  alive = new Set<number>([4242]);
  readonly revived: string[] = [];
  readonly dead: Array<[string, string]> = [];
  readonly probed: string[] = [];
  probeAnswer: number | false | null = null;
  reviveAnswer: () => Result<Worker> = () => ok(this.store.workers.get("w")!);

  constructor(config: Partial<Config> = {}, deps: Partial<HealthPassDeps> = {}, seed?: (s: Store) => void) {
    seed?.(this.store);
    this.store.workers.insert({
      id: "id-w",
      name: "w",
      type: "t-marker",
      project: "/p",
      worktree: null,
      state: "idle",
      paneId: "%1",
      currentTask: null,
      restarts: 0,
      createdAt: T0,
      host: "local",
      error: null,
    });
    this.rt = new WorkerRuntime("id-w", "w", markerPlugin(), /\$ $/);
    this.rt.paneId = "%1";
    this.rt.phase = "ready";
    this.pane.panes.push({
      paneId: "%1",
      windowId: "@1",
      windowName: "t-marker-w",
      pid: 4242,
      dead: false,
      deadStatus: null,
      deadSignal: null,
      workerId: "id-w",
      piped: true,
      sent: "-",
    });
    this.pass = new HealthPass({
      store: this.store,
      config: { ...DEFAULT_CONFIG, maxRestarts: 2, restartWindow: 600, stuckAfter: 60, ...config },
      logger: { log: () => undefined },
      runtime: (name) => (name === "w" ? this.rt : undefined),
      starting: () => false,
      panesOn: async () => ({ panes: await this.pane.listPanes(), remote: false }),
      revive: async (name, by) => {
        expect(by).toBe("auto");
        this.revived.push(name);
        return this.reviveAnswer();
      },
      probe: async (name) => {
        this.probed.push(name);
        return this.probeAnswer;
      },
      markDead: (name, reason) => {
        this.dead.push([name, reason]);
        this.store.workers.update(name, { state: "dead", error: reason });
        this.rt.phase = "dead";
      },
      processAlive: (pid) => this.alive.has(pid),
      now: () => this.clock,
      ...deps,
    });
  }

  /** The pane's agent exited with `status` (tmux keeps the pane: remain-on-exit). */
  exit(status: number): void {
    Object.assign(this.pane.panes[0]!, { dead: true, deadStatus: status });
  }

  /** The revive brought it back: a live pane, a ready runtime. */
  back(): void {
    Object.assign(this.pane.panes[0]!, { dead: false, deadStatus: null });
    this.store.workers.update("w", { state: "idle", error: null });
    this.rt.phase = "ready";
  }
}

const wards: Ward[] = [];
function ward(
  config: Partial<Config> = {},
  deps: Partial<HealthPassDeps> = {},
  seed?: (s: Store) => void,
): Ward {
  const w = new Ward(config, deps, seed);
  wards.push(w);
  return w;
}
afterEach(() => {
  for (const w of wards.splice(0)) {
    w.pass.stop();
    w.store.close();
  }
});

describe("HealthPass: verdicts", () => {
  test("a healthy idle worker is probed and reported with the probe's time", async () => {
    const w = ward();
    w.probeAnswer = 12;
    expect(await w.pass.run()).toEqual([
      { worker: "w", verdict: "healthy", reason: "idle, answered its probe in 12 ms" },
    ]);
    expect(w.probed).toEqual(["w"]);
    expect(w.revived).toEqual([]);
  });

  test("a worker whose start is under way, its runtime not made yet, is left to the start", async () => {
    // add-worker stores the worker before its plugin's startup() and seeded files: no pane yet
    const w = ward({}, { starting: (name) => name === "w", runtime: () => undefined });
    w.pane.panes = [];
    expect(await w.pass.run()).toEqual([{ worker: "w", verdict: "healthy", reason: "starting" }]);
    expect(w.dead).toEqual([]);
    expect(w.revived).toEqual([]);
    // nor probed: a revive's old runtime may still look ready while its pane is respawned
    expect(w.probed).toEqual([]);
  });

  test("a pane that is gone: the death is recorded, then the worker revived", async () => {
    const w = ward();
    w.pane.panes = [];
    expect(await w.pass.run()).toEqual([
      { worker: "w", verdict: "revived", reason: "was dead: its tmux pane is gone" },
    ]);
    expect(w.dead).toEqual([["w", "its tmux pane is gone"]]);
    expect(w.revived).toEqual(["w"]);
    expect(w.probed).toEqual([]);
  });

  test("a pane whose agent exited names its status; a vanished process is dead too", async () => {
    const w = ward();
    w.exit(3);
    expect((await w.pass.run())[0]).toEqual({
      worker: "w",
      verdict: "revived",
      reason: "was dead: agent exited with status 3",
    });
    w.back();
    w.alive.clear();
    expect((await w.pass.run())[0]?.reason).toBe("was dead: the agent's process is gone");
  });

  test("a death already recorded is not recorded again", async () => {
    const w = ward();
    w.exit(1);
    w.store.workers.update("w", { state: "dead", error: "agent exited with status 1" });
    w.rt.phase = "dead";
    await w.pass.run();
    expect(w.dead).toEqual([]);
    expect(w.revived).toEqual(["w"]);
  });

  test("a worker on a task with no output for stuckAfter is stuck and revived, not marked dead", async () => {
    const w = ward({ stuckAfter: 60 });
    w.rt.turn = {
      taskId: "t1",
      framed: true,
      accepted: true,
      sawBusy: true,
      retried: false,
      submitted: true,
      acceptTimer: null,
      idleTimer: null,
      rateLimitRetries: 0,
    };
    w.rt.dispatchedAt = T0 - 120_000;
    w.rt.lastOutputAt = T0 - 61_000;
    const [h] = await w.pass.run();
    expect(h).toEqual({
      worker: "w",
      verdict: "revived",
      reason: "was stuck: no output for 61 s while running a task (limit 60 s)",
    });
    expect(w.dead).toEqual([]);
    expect(w.probed).toEqual([]); // a busy worker is not probed
  });

  test("a worker waiting for a human is never stuck", async () => {
    const w = ward({ stuckAfter: 60 });
    w.rt.dispatchedAt = T0 - 120_000;
    w.rt.turn = {
      taskId: "t1",
      framed: true,
      accepted: true,
      sawBusy: true,
      retried: false,
      submitted: true,
      acceptTimer: null,
      idleTimer: null,
      rateLimitRetries: 0,
    };
    w.store.workers.update("w", { state: "waiting_input" });
    expect((await w.pass.run())[0]?.verdict).toBe("healthy");
  });

  test("an idle worker that does not answer its probe is stuck and revived", async () => {
    const w = ward();
    w.probeAnswer = false;
    expect((await w.pass.run())[0]).toEqual({
      worker: "w",
      verdict: "revived",
      reason: "was stuck: did not answer its probe within 5000 ms",
    });
  });

  test("a revive that fails is reported with its reason", async () => {
    const w = ward();
    w.pane.panes = [];
    w.reviveAnswer = () => fail("unavailable", "command not found");
    expect((await w.pass.run())[0]).toEqual({
      worker: "w",
      verdict: "dead",
      reason: "its tmux pane is gone; revive failed: command not found",
    });
  });

  test("with maxRestarts 0 nothing is revived", async () => {
    const w = ward({ maxRestarts: 0 });
    w.pane.panes = [];
    expect((await w.pass.run())[0]?.verdict).toBe("dead");
    expect(w.revived).toEqual([]);
  });

  test("passes asked for while one runs share its report", async () => {
    const w = ward();
    w.probeAnswer = 1;
    const [a, b] = [w.pass.run(), w.pass.run()];
    expect(a).toBe(b);
    await a;
    expect(w.probed).toEqual(["w"]);
  });
});

describe("HealthPass: restart intensity", () => {
  test("after maxRestarts in the window the worker is given up: state error, an event", async () => {
    const w = ward({ maxRestarts: 2, restartWindow: 600 });
    for (const verdict of ["revived", "revived"] as const) {
      w.exit(1);
      expect((await w.pass.run())[0]?.verdict).toBe(verdict);
      w.back();
      w.clock += 10_000;
    }
    w.exit(1);
    const [h] = await w.pass.run();
    expect(h?.verdict).toBe("gave_up");
    expect(h?.reason).toBe("dead: agent exited with status 1; restarted 2 times in 600 s");
    expect(w.store.workers.get("w")).toMatchObject({
      state: "error",
      error: "gave up: dead: agent exited with status 1; restarted 2 times in 600 s",
    });
    expect(w.store.events.latest(10).map((e) => e.kind)).toContain("worker.gave_up");
    expect(w.revived).toHaveLength(2);
    // and stays given up
    expect((await w.pass.run())[0]?.verdict).toBe("gave_up");
  });

  test("restarts older than the window no longer count", async () => {
    const w = ward({ maxRestarts: 1, restartWindow: 600 });
    w.exit(1);
    expect((await w.pass.run())[0]?.verdict).toBe("revived");
    w.back();
    w.clock += 601_000;
    w.exit(1);
    expect((await w.pass.run())[0]?.verdict).toBe("revived");
  });

  test("automatic restarts in the store's events count after a controller restart", async () => {
    const w = ward({ maxRestarts: 2 }, {}, (store) => {
      for (const at of [T0 - 20_000, T0 - 10_000])
        store.events.append(workerEvent("worker.revived", "w", { by: "auto" }, null, at));
    });
    w.exit(1);
    expect((await w.pass.run())[0]?.verdict).toBe("gave_up");
    expect(w.revived).toEqual([]);
  });

  test("forget() starts the count again (a revive by hand)", async () => {
    const w = ward({ maxRestarts: 1 });
    w.exit(1);
    await w.pass.run();
    w.back();
    w.pass.forget("w");
    w.exit(1);
    expect((await w.pass.run())[0]?.verdict).toBe("revived");
  });
});

describe("HealthPass: revive after a death", () => {
  test("a worker recorded dead is revived after reviveDelay, doubled for each restart in the window", async () => {
    // the real clock here: the delays are timers
    const w = ward({ reviveDelay: 0.05, maxRestarts: 5 }, { now: Date.now });
    w.store.workers.update("w", { state: "dead", error: "agent exited with status 1" });
    let at = Date.now();
    w.pass.afterDeath("w");
    await waitFor("the first revive", () => w.revived.length === 1, 2000);
    expect(Date.now() - at).toBeGreaterThanOrEqual(45);
    at = Date.now();
    w.pass.afterDeath("w");
    await waitFor("the second revive", () => w.revived.length === 2, 2000);
    expect(Date.now() - at).toBeGreaterThanOrEqual(95);
  });

  test("a revive already pending is not doubled; a worker alive again by then is left alone", async () => {
    const w = ward({ reviveDelay: 0.03 }, { now: Date.now });
    w.store.workers.update("w", { state: "dead" });
    w.pass.afterDeath("w");
    w.pass.afterDeath("w");
    await waitFor("the revive", () => w.revived.length === 1, 2000);
    w.pass.afterDeath("w"); // fires in 60 ms (one restart in the window), the worker is back by then
    w.store.workers.update("w", { state: "idle" });
    // a witness whose revive is due later than that one: once it came, the other has fired
    const witness = ward({ reviveDelay: 0.15 }, { now: Date.now });
    witness.store.workers.update("w", { state: "dead" });
    witness.pass.afterDeath("w");
    await waitFor("the witness revived", () => witness.revived.length === 1, 2000);
    expect(w.revived).toEqual(["w"]);
  });

  test("stop() drops the pending revives", async () => {
    const w = ward({ reviveDelay: 0.03 }, { now: Date.now });
    w.store.workers.update("w", { state: "dead" });
    w.pass.afterDeath("w");
    w.pass.stop();
    const witness = ward({ reviveDelay: 0.1 }, { now: Date.now });
    witness.store.workers.update("w", { state: "dead" });
    witness.pass.afterDeath("w");
    await waitFor("a revive due later", () => witness.revived.length === 1, 2000);
    expect(w.revived).toEqual([]);
  });
});
