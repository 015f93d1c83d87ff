/**
 * Fault injection on agents (compiled binary, real tmux): a shell and a fake interactive agent
 * killed mid-task, a pane killed, a task that hangs, an agent that never becomes ready, one
 * that dies at start and one that crashes right after every start. Each task is recorded
 * once with the reason; dead workers come back by themselves until the restart intensity
 * gives them up.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { OrchHarness, type StatusJson, type TaskJson, waitFor } from "../helpers/orch-harness.ts";

const FAKE_AGENT = resolve(import.meta.dir, "../fixtures/agents/fake-agent.sh");

interface EventJson {
  kind: string;
  worker: string | null;
  data: Record<string, unknown>;
}

function paneOf(st: StatusJson, worker: string): string {
  const pane = st.workers.find((w) => w.name === worker)?.paneId;
  if (!pane) throw new Error(`worker ${worker} has no pane: ${JSON.stringify(st.workers)}`);
  return pane;
}

describe("agent faults (compiled binary)", () => {
  const orch = new OrchHarness("dist", {
    ORCH_REVIVE_DELAY: "0.2",
    ORCH_MAX_RESTARTS: "3",
    ORCH_WORKER_STARTUP_TIMEOUT: "3",
  });
  let project = "";

  const status = () => orch.json<StatusJson>(["status"]);
  const worker = async (name: string) => (await status()).workers.find((w) => w.name === name);
  const events = async (name: string) =>
    (await orch.ok(["events", "--json", "--limit", "500"]))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as EventJson)
      .filter((e) => e.worker === name);
  /** SIGKILLs the pane's process group (the agent and what it started). */
  const killAgent = async (name: string) => {
    const pane = paneOf(await status(), name);
    const pid = Number(orch.tmux("display-message", "-p", "-t", pane, "#{pane_pid}").stdout.trim());
    expect(pid).toBeGreaterThan(1);
    process.kill(-pid, "SIGKILL");
  };
  const running = (id: string) =>
    waitFor(
      `task ${id} running`,
      async () => (await orch.api<TaskJson>("GET", `/v1/tasks/${id}`)).body.status === "running",
    );
  const revivedBy = (name: string, restarts: number) =>
    waitFor(`${name} revived (${restarts} restarts)`, async () => {
      const w = await worker(name);
      return w?.state === "idle" && w.restarts === restarts ? w : null;
    });

  beforeAll(async () => {
    project = await orch.startWithWorker("sh1");
    const plugin = join(orch.root, "fake.json");
    writeFileSync(
      plugin,
      JSON.stringify({
        name: "fake",
        description: "a fake interactive agent",
        version: "1",
        command: ["bash", "--norc", FAKE_AGENT, "{worker}"],
        detect: "screen",
        screen: { busy: "working\\.\\.\\.", idle: "^idle> $" },
      }),
    );
    await orch.ok(["plugin", "add", plugin]);
    await orch.ok(["add-worker", "--type", "fake", "--project", project, "--name", "steady-1"]);
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("the fake agent answers (the baseline the faults are measured against)", async () => {
    const t = await orch.sendWait("steady-1", "hello");
    expect(t.status).toBe("succeeded");
    expect(t.output).toContain("answer: hello");
  });

  test("shell killed mid-task: the task fails with the reason, the worker comes back by itself", async () => {
    const sent = await orch.api<TaskJson>("POST", "/v1/tasks", {
      worker: "sh1",
      text: "echo begun; read -t 30 x",
    });
    await running(sent.body.id);
    await killAgent("sh1");
    const t = await orch.waitTask(sent.body.id, 15_000);
    expect(t.status).toBe("failed");
    expect(t.error).toContain("agent killed by signal 9 (SIGKILL)");
    await revivedBy("sh1", 1);
    expect((await orch.sendWait("sh1", "echo back")).output).toBe("back\n");
    expect((await events("sh1")).find((e) => e.kind === "worker.revived")?.data).toEqual({ by: "auto" });
  });

  test("a task with retries whose agent is killed is run again on the revived worker", async () => {
    const flag = join(project, "tried-once");
    const text = `if [ -e ${flag} ]; then echo second try; else touch ${flag}; echo first; read -t 30 x; fi`;
    const sent = await orch.api<TaskJson>("POST", "/v1/tasks", { worker: "sh1", text, retries: 1 });
    await running(sent.body.id);
    await killAgent("sh1");
    const t = await orch.waitTask(sent.body.id, 30_000);
    expect(t).toMatchObject({ status: "succeeded", output: "second try\n", attempts: 2 });
    expect(existsSync(flag)).toBe(true);
  });

  test("interactive agent killed mid-task: the task fails, the agent is revived and answers", async () => {
    const sent = await orch.api<TaskJson>("POST", "/v1/tasks", { worker: "steady-1", text: "wait 30" });
    await running(sent.body.id);
    await killAgent("steady-1");
    const t = await orch.waitTask(sent.body.id, 15_000);
    expect(t.status).toBe("failed");
    // tmux names the signal once it has reaped the agent; an agent whose children keep its
    // terminal open is sometimes told dead before that (then the reason has no status)
    expect(t.error).toMatch(
      /^agent (killed by signal 9 \(SIGKILL\)|exited with status \?) before the task finished$/,
    );
    await revivedBy("steady-1", 1);
    expect((await orch.sendWait("steady-1", "again")).output).toContain("answer: again");
  });

  test("a pane killed with tmux: the worker is dead, then back in a new window", async () => {
    const before = paneOf(await status(), "sh1");
    expect(orch.tmux("kill-pane", "-t", before).code).toBe(0);
    const w = await revivedBy("sh1", 3);
    expect(w.paneId).not.toBe(before);
    expect((await orch.sendWait("sh1", "echo new window")).output).toBe("new window\n");
    expect(
      (await events("sh1")).some((e) => e.kind === "worker.dead" && String(e.data.reason).includes("window")),
    ).toBe(true);
  });

  test("a task that hangs forever times out, is interrupted, and the worker goes on", async () => {
    const t = await orch.sendWait("sh1", "read -t 100000 x", 1);
    expect(t.status).toBe("timed_out");
    expect((await orch.sendWait("sh1", "echo after")).output).toBe("after\n");
  });

  test("an agent that never becomes ready: add-worker fails saying so, the worker is in error", async () => {
    const r = await orch.run(["add-worker", "--type", "fake", "--project", project, "--name", "mute-1"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("not ready after 3 s");
    expect(r.stderr).toContain("loading forever");
    expect((await worker("mute-1"))?.state).toBe("error");
  });

  test("an agent that dies at start: add-worker fails with its exit status", async () => {
    const r = await orch.run(["add-worker", "--type", "fake", "--project", project, "--name", "dies-1"]);
    expect(r.code).toBe(3);
    // (what it printed is shown when tmux kept it: 3.3a drops the output of a pane that exits at once)
    expect(r.stderr).toContain("the agent exited at once with status 3");
    expect((await worker("dies-1"))?.state).toBe("error");
  });

  test("an agent that crashes after every start: revived maxRestarts times, then given up", async () => {
    await orch.ok(["add-worker", "--type", "fake", "--project", project, "--name", "crashy-1"]);
    const w = await waitFor(
      "crashy-1 given up",
      async () => {
        const x = await worker("crashy-1");
        return x?.state === "error" ? x : null;
      },
      60_000,
    );
    expect(w.error).toContain("gave up");
    const kinds = (await events("crashy-1")).map((e) => e.kind);
    expect(kinds.filter((k) => k === "worker.revived").length).toBe(3);
    expect(kinds.at(-1)).toBe("worker.gave_up");
    // given up means left alone: no further revive
    const report = JSON.parse((await orch.run(["health-check", "--json"])).stdout) as {
      worker: string;
      verdict: string;
    }[];
    expect(report.find((x) => x.worker === "crashy-1")?.verdict).toBe("gave_up");
    expect((await events("crashy-1")).filter((e) => e.kind === "worker.revived").length).toBe(3);
    // the others were not disturbed
    expect((await orch.sendWait("steady-1", "still here")).output).toContain("answer: still here");
  });
});
