import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OrchHarness, type StatusJson, type TaskJson, waitFor } from "../helpers/orch-harness.ts";

describe("the tmux server goes away", () => {
  const orch = new OrchHarness("src");
  beforeAll(async () => {
    await orch.startWithWorker("w");
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("the controller outlives it, starts a new server, and reports the lost workers and task", async () => {
    const pid = orch.controllerPid();
    const sent = await orch.api<TaskJson>("POST", "/v1/tasks", { worker: "w", text: "sleep 20" });
    await waitFor(
      "task running",
      async () => (await orch.api<TaskJson>("GET", `/v1/tasks/${sent.body.id}`)).body.status === "running",
    );
    expect(orch.tmux("kill-server").code).toBe(0);
    const t = await orch.waitTask(sent.body.id, 15_000);
    expect(t.status).toBe("failed");
    const w = await waitFor("worker marked dead", async () =>
      (await orch.json<StatusJson>(["status"])).workers.find((x) => x.name === "w" && x.state === "dead"),
    );
    expect(w.error).toBeTruthy();
    expect(orch.controllerPid()).toBe(pid);
    await waitFor("a new session with the controller window", () =>
      orch.tmux("list-windows", "-t", "agent-system", "-F", "#{window_name}").stdout.includes("controller"),
    );
  });

  test("revive brings the worker back in a new window", async () => {
    await orch.ok(["revive", "w"]);
    const st = await orch.json<StatusJson>(["status"]);
    expect(st.workers[0]).toMatchObject({ name: "w", state: "idle", restarts: 1 });
    expect((await orch.sendWait("w", "echo revived")).output).toBe("revived\n");
  });
});
