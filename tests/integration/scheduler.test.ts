import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OrchHarness, type TaskJson, waitFor } from "../helpers/orch-harness.ts";

interface SubmittedTask extends TaskJson {
  agentType: string | null;
  project: string | null;
  history?: Array<{
    attempt: number;
    status: string;
    exitCode: number | null;
    error: string | null;
    startedAt: string | null;
    finishedAt: string | null;
  }>;
}

/** A task that holds its worker until `gate` exists in the project (no sleeps in the test). */
const holdUntil = (gate: string) => `while [ ! -f ${gate} ]; do sleep 0.02; done; echo released`;

describe("the scheduler on real tmux", () => {
  const orch = new OrchHarness("dist", {
    ORCH_MAX_QUEUED_TASKS: "1000",
    ORCH_AUTO_WORKERS: "2",
    ORCH_MAX_WORKERS_PER_TYPE: "shell=4",
    ORCH_ROUTES: "review=shell,tag:ops=shell",
  });
  let p = "";
  beforeAll(async () => {
    p = await orch.startWithWorker("w1");
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("a failing task is retried with backoff and each attempt is kept", async () => {
    const flaky =
      'n=$(cat tries 2>/dev/null || echo 0); n=$((n+1)); echo $n > tries; echo "try $n"; [ $n -ge 3 ]';
    const r = await orch.run(
      ["submit", "--project", p, "--retries", "2", "--wait", "--json", "--", flaky],
      60_000,
    );
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout) as SubmittedTask;
    expect(t.status).toBe("succeeded");
    expect(t.attempts).toBe(3);
    expect(t.output).toBe("try 3\n");
    const shown = (await orch.api<SubmittedTask>("GET", `/v1/tasks/${t.id}`)).body;
    expect(shown.history?.map((a) => [a.attempt, a.status, a.exitCode])).toEqual([
      [1, "failed", 1],
      [2, "failed", 1],
    ]);
    // the waits before each retry grow by the backoff factor: 1 s, then 2 s
    const [a1, a2] = shown.history!;
    const gap = (from: string | null | undefined, to: string | null | undefined) =>
      Date.parse(to!) - Date.parse(from!);
    expect(gap(a1?.finishedAt, a2?.startedAt)).toBeGreaterThanOrEqual(950);
    expect(gap(a2?.finishedAt, t.startedAt)).toBeGreaterThanOrEqual(1950);
    expect(gap(a2?.finishedAt, t.startedAt)).toBeGreaterThan(gap(a1?.finishedAt, a2?.startedAt));
    const text = await orch.ok(["task", t.id]);
    expect(text).toContain("attempt 1: failed");
    expect(text).toContain("attempt 3: succeeded (latest)");
  }, 60_000);

  test("a task that exhausts its retries fails with the last reason", async () => {
    const r = await orch.run(
      ["submit", "--project", p, "--retries", "1", "--wait", "--json", "--", "exit 5"],
      60_000,
    );
    expect(r.code).toBe(1);
    const t = JSON.parse(r.stdout) as SubmittedTask;
    expect(t.status).toBe("failed");
    expect(t.attempts).toBe(2);
    expect(t.error).toBe("exited with status 5");
  }, 60_000);

  test("send --retries retries on the same worker", async () => {
    const r = await orch.run(["send", "w1", "--retries", "1", "--wait", "--json", "--", "exit 6"], 60_000);
    expect(r.code).toBe(1);
    const t = JSON.parse(r.stdout) as SubmittedTask;
    expect(t.attempts).toBe(2);
    expect(t.worker).toBe("w1");
    const shown = (await orch.api<SubmittedTask>("GET", `/v1/tasks/${t.id}`)).body;
    expect(shown.history?.map((a) => [a.attempt, a.status, a.exitCode])).toEqual([[1, "failed", 6]]);
  }, 60_000);

  test("a timed-out attempt is retried too", async () => {
    const once = "if [ -f slow-done ]; then echo fast; else touch slow-done; sleep 30; fi";
    const r = await orch.run(
      ["submit", "--project", p, "--retries", "1", "--timeout", "1", "--wait", "--json", "--", once],
      60_000,
    );
    const t = JSON.parse(r.stdout) as SubmittedTask;
    expect(t.status).toBe("succeeded");
    expect(t.attempts).toBe(2);
    const shown = (await orch.api<SubmittedTask>("GET", `/v1/tasks/${t.id}`)).body;
    expect(shown.history?.[0]?.status).toBe("timed_out");
  }, 60_000);

  test("with no worker for a project, the scheduler starts one there", async () => {
    const q = orch.project("q");
    const r = await orch.run(["submit", "--project", q, "--wait", "--", "pwd; echo $ORCH_WORKER"], 60_000);
    expect(r.code).toBe(0);
    const [dir, worker] = r.stdout.trim().split("\n");
    expect(dir).toBe(q);
    const status = await orch.json<{ workers: Array<{ name: string; project: string }> }>(["status"]);
    expect(status.workers.find((w) => w.name === worker)?.project).toBe(q);
  }, 60_000);

  test("routing: a task type or a tag with a route runs on the agent type it names", async () => {
    for (const how of [["--type", "review"], ["--tag", "ops"], []]) {
      const r = await orch.run(
        ["submit", "--project", p, ...how, "--wait", "--json", "--", "echo routed"],
        60_000,
      );
      expect(r.code).toBe(0);
      const t = JSON.parse(r.stdout) as SubmittedTask;
      expect([t.agentType, t.output]).toEqual(["shell", "routed\n"]);
    }
  }, 60_000);

  test("a submit no worker could ever take, or beyond a limit, is refused with exit 2", async () => {
    const unknown = await orch.run(["submit", "--type", "nosuch", "--", "echo x"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown type "nosuch"');
    const missing = await orch.run(["submit", "--project", join(orch.projects, "nope"), "--", "echo x"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("does not exist");
    const prio = await orch.run(["submit", "--priority", "urgent", "--", "echo x"]);
    expect(prio.code).toBe(2);
    expect(prio.stderr).toContain("expected one of critical, high, normal, low");
  });

  test("the queue limit refuses a submit beyond it, naming the limit", async () => {
    const gate = "go-limit";
    const held = await orch.run(["submit", "--project", p, "--", holdUntil(gate)]);
    const queued: string[] = [];
    // w1 is held; the pool for p may start one more worker (autoWorkers 2), so hold that one too
    queued.push((await orch.run(["submit", "--project", p, "--", holdUntil(gate)])).stdout.trim());
    const body = { text: "echo filler", project: p };
    let refused: { status: number; body: { error: string } } | null = null;
    for (let i = 0; i < 1100 && !refused; i++) {
      const r = await orch.api<{ id: string; error: string }>("POST", "/v1/submit", body);
      if (r.status === 201) queued.push(r.body.id);
      else refused = r;
    }
    expect(refused?.status).toBe(409);
    expect(refused?.body.error).toContain("(maxQueuedTasks)");
    writeFileSync(join(p, gate), "");
    await Promise.all([held.stdout.trim(), ...queued].map((id) => orch.waitTask(id, 120_000)));
  }, 180_000);
});

describe("one worker, no workers started by the scheduler", () => {
  const orch = new OrchHarness("dist", { ORCH_AUTO_WORKERS: "0" });
  let q = "";
  beforeAll(async () => {
    q = await orch.startWithWorker("a");
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("critical > high > normal > low, FIFO within a priority", async () => {
    const held = await orch.run(["submit", "--project", q, "--", holdUntil("go-prio")]);
    expect(held.code).toBe(0);
    await waitFor("the holding task to run", async () => {
      const t = await orch.api<SubmittedTask>("GET", `/v1/tasks/${held.stdout.trim()}`);
      return t.body.status === "running";
    });
    const order: Array<[string, string]> = [
      ["low", "L1"],
      ["normal", "N1"],
      ["critical", "C1"],
      ["high", "H1"],
      ["low", "L2"],
      ["critical", "C2"],
    ];
    const ids: string[] = [];
    for (const [prio, tag] of order) {
      const r = await orch.run([
        "submit",
        "--project",
        q,
        "--priority",
        prio,
        "--",
        `echo ${tag} >> prio.txt`,
      ]);
      expect(r.code).toBe(0);
      ids.push(r.stdout.trim());
    }
    writeFileSync(join(q, "go-prio"), "");
    await Promise.all(ids.map((id) => orch.waitTask(id)));
    expect(readFileSync(join(q, "prio.txt"), "utf8")).toBe("C1\nC2\nH1\nN1\nL1\nL2\n");
  }, 60_000);

  test("8 orch submit processes x 100 tasks leave exactly 800 tasks, each run once", async () => {
    const p = q;
    await orch.ok(["add-worker", "--type", "shell", "--project", p, "--name", "b"]);
    const [bin] = orch.command();
    const client = (k: number) =>
      Bun.spawn(
        [
          "bash",
          "-c",
          `for i in $(seq 1 100); do "$ORCH" submit --project "$P" -- "echo c${k}-$i >> ran.txt" >/dev/null || exit 1; done`,
        ],
        { env: { ...orch.childEnv(), ORCH: bin!, P: p }, stdout: "pipe", stderr: "pipe" },
      );
    const clients = Array.from({ length: 8 }, (_, k) => client(k));
    const codes = await Promise.all(clients.map((c) => c.exited));
    expect(codes).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    const tasks = await waitFor(
      "all 800 tasks to finish",
      async () => {
        const list = (await orch.api<SubmittedTask[]>("GET", "/v1/tasks")).body.filter((t) =>
          t.text.startsWith("echo c"),
        );
        return list.length === 800 && list.every((t) => t.status === "succeeded") ? list : null;
      },
      120_000,
    );
    expect(tasks.every((t) => t.attempts === 1)).toBe(true);
    const lines = readFileSync(join(p, "ran.txt"), "utf8").trim().split("\n");
    expect(lines.length).toBe(800);
    expect(new Set(lines).size).toBe(800);
  }, 240_000);
});

describe("resource limits on a worker's process tree", () => {
  const orch = new OrchHarness("dist", {
    ORCH_HEALTH_CHECK_INTERVAL: "1",
    ORCH_MAX_WORKER_MEMORY_MB: "150",
    ORCH_MEMORY_POLICY: "kill",
    ORCH_MAX_WORKER_CPU_PERCENT: "50",
    ORCH_CPU_POLICY: "warn",
  });
  afterAll(() => orch.cleanup(), 30_000);

  test("memory over the limit kills the worker (policy kill); CPU over it is a warning (policy warn)", async () => {
    const p = await orch.startWithWorker("hog");
    await orch.ok(["add-worker", "--type", "shell", "--project", p, "--name", "spin"]);
    const spin = await orch.api<TaskJson>("POST", "/v1/tasks", {
      worker: "spin",
      text: "end=$((SECONDS+20)); while [ $SECONDS -lt $end ]; do :; done",
      timeoutSec: 60,
    });
    const log = join(orch.home, "logs", "controller.log");
    await waitFor(
      "a CPU warning for spin",
      () => existsSync(log) && /over a resource limit.*spin.*cpu/is.test(readFileSync(log, "utf8")),
      20_000,
    );
    const hog = await orch.api<TaskJson>("POST", "/v1/tasks", {
      worker: "hog",
      text: `node -e "const b = Buffer.alloc(300 * 1024 * 1024, 1); setTimeout(() => console.log(b.length), 30000)"`,
      timeoutSec: 60,
    });
    const t = await orch.waitTask(hog.body.id, 30_000);
    expect(t.status).toBe("cancelled");
    expect(t.error).toContain('worker "hog" was killed');
    const status = await orch.json<{ workers: Array<{ name: string; state: string }> }>(["status"]);
    expect(status.workers.map((w) => w.name)).toEqual(["spin"]);
    expect(readFileSync(log, "utf8")).toMatch(/memory [\d.]+ MB over the limit of 150 MB/);
    await orch.api("POST", `/v1/tasks/${spin.body.id}/cancel`);
  }, 90_000);
});
