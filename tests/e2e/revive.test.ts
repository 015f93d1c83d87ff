import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OrchHarness, type StatusJson, type TaskJson, waitFor } from "../helpers/orch-harness.ts";

interface EventJson {
  kind: string;
  worker: string | null;
  data: Record<string, unknown>;
}

describe("orch revive is idempotent (compiled binary)", () => {
  // no automatic revives and no health passes: every restart here is one asked for by hand
  const orch = new OrchHarness("dist", { ORCH_REVIVE_DELAY: "3600", ORCH_HEALTH_CHECK_INTERVAL: "3600" });
  beforeAll(async () => {
    await orch.startWithWorker("w");
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  const restarts = async () => (await orch.json<StatusJson>(["status"])).workers[0]!.restarts;
  const revivedEvents = async () =>
    (await orch.ok(["events", "--json", "--limit", "1000"]))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as EventJson)
      .filter((e) => e.kind === "worker.revived" && e.worker === "w").length;
  const reviveThrice = () => Promise.all([1, 2, 3].map(() => orch.run(["revive", "w"])));

  test("a healthy idle worker is left as it is, and says so", async () => {
    const r = await orch.run(["revive", "w"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('worker "w" is idle and its agent is alive: nothing to revive');
    const json = await orch.json<{ name: string; revived: boolean; restarts: number }>(["revive", "w"]);
    expect(json).toMatchObject({ name: "w", revived: false, restarts: 0 });
    for (const x of await reviveThrice()) expect(x.code).toBe(0);
    expect(await restarts()).toBe(0);
    expect(await revivedEvents()).toBe(0);
  });

  test("three revives at once of a dead worker restart it once", async () => {
    const [before, eventsBefore] = [await restarts(), await revivedEvents()];
    const st = await orch.json<StatusJson>(["status"]);
    const paneId = st.workers[0]!.paneId!;
    const pid = Number(orch.tmux("display-message", "-p", "-t", paneId, "#{pane_pid}").stdout.trim());
    process.kill(pid, "SIGKILL");
    await waitFor(
      "the pane dead by tmux's account",
      () => orch.tmux("display-message", "-p", "-t", paneId, "#{pane_dead}").stdout.trim() === "1",
    );
    const answers = await reviveThrice();
    for (const x of answers) expect(x.code).toBe(0);
    expect(await restarts()).toBe(before + 1);
    expect(await revivedEvents()).toBe(eventsBefore + 1);
    expect((await orch.sendWait("w", "echo back")).output).toBe("back\n");
  });

  test("a worker on a task is refused naming the task; --force restarts it and the task fails saying why", async () => {
    const id = (await orch.ok(["send", "w", "sleep 30"])).trim();
    await waitFor(
      "the task running",
      async () => (await orch.json<TaskJson>(["task", id])).status === "running",
    );
    const refused = await orch.run(["revive", "w"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`worker "w" is running task ${id}`);
    expect(refused.stderr).toContain("--force");
    expect((await orch.json<TaskJson>(["task", id])).status).toBe("running");
    expect(await restarts()).toBe(1);

    const forced = await orch.run(["revive", "w", "--force"]);
    expect(forced).toMatchObject({ code: 0, stdout: "revived w (restarts: 2)\n" });
    const t = await orch.waitTask(id);
    expect(t.status).toBe("failed");
    expect(t.error).toBe("worker revived by the user (--force)");
    expect((await orch.sendWait("w", "echo again")).output).toBe("again\n");
  });

  test("--force under a task with retries left: the task runs again, its attempt saying why it ended", async () => {
    const id = (await orch.ok(["send", "w", "--retries", "1", "sleep 30"])).trim();
    await waitFor(
      "the task running",
      async () => (await orch.json<TaskJson>(["task", id])).status === "running",
    );
    expect((await orch.run(["revive", "w", "--force"])).code).toBe(0);
    const again = await waitFor("the second attempt running", async () => {
      const t = await orch.json<TaskJson & { history?: Array<{ error: string | null }> }>(["task", id]);
      return t.attempts === 2 && t.status === "running" ? t : null;
    });
    expect(again.history?.[0]?.error).toBe("worker revived by the user (--force)");
    await orch.ok(["cancel", id]);
  });

  test("an idle worker adopted by a restarted controller is healthy too: left as it is", async () => {
    await waitFor(
      "w idle",
      async () => (await orch.json<StatusJson>(["status"])).workers[0]?.state === "idle",
    );
    const before = await restarts();
    await orch.ok(["stop"]);
    await orch.ok(["start"]);
    const json = await orch.json<{ revived: boolean }>(["revive", "w"]);
    expect(json.revived).toBe(false);
    expect(await restarts()).toBe(before);
  });

  test("a revived worker's pane keeps its log: what the new agent prints is logged, and tmux pipes the pane", async () => {
    await orch.ok(["revive", "w", "--force"]);
    const t = await orch.sendWait("w", "echo logged-after-revive");
    expect(t.output).toBe("logged-after-revive\n");
    const pane = (await orch.json<StatusJson>(["status"])).workers[0]!.paneId!;
    expect(orch.tmux("display-message", "-p", "-t", pane, "#{pane_pipe}").stdout.trim()).toBe("1");
    await waitFor(
      "the output in the pane log",
      async () => (await orch.ok(["logs", "w"])).includes("logged-after-revive"),
      10_000,
    );
  });
});
