import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OrchHarness, type StatusJson, type TaskJson, waitFor } from "../helpers/orch-harness.ts";

interface EventJson {
  kind: string;
  worker: string | null;
  task: string | null;
}

describe("the tmux server goes away", () => {
  const orch = new OrchHarness("src");
  beforeAll(async () => {
    await orch.startWithWorker("w");
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("the controller starts a new server and recreates the worker; a task that had begun is not run again, a queued one runs", async () => {
    const pid = orch.controllerPid();
    const inFlight = await orch.api<TaskJson>("POST", "/v1/tasks", {
      worker: "w",
      text: "sleep 1; echo finished",
    });
    const queued = await orch.api<TaskJson>("POST", "/v1/tasks", { worker: "w", text: "echo next" });
    await waitFor(
      "task running",
      async () =>
        (await orch.api<TaskJson>("GET", `/v1/tasks/${inFlight.body.id}`)).body.status === "running",
    );
    expect(orch.tmux("kill-server").code).toBe(0);
    const t = await orch.waitTask(inFlight.body.id, 30_000);
    // it may have done part of its work: run again only when the user asked for retries
    expect(t).toMatchObject({ status: "failed", attempts: 1 });
    expect(t.error).toContain("while it ran; not run again, as it may have done part of its work");
    const next = await orch.waitTask(queued.body.id, 30_000);
    expect(next).toMatchObject({ status: "succeeded", output: "next\n", attempts: 1 });
    const st = await orch.json<StatusJson>(["status"]);
    expect(st.workers[0]).toMatchObject({ name: "w", state: "idle", restarts: 1 });
    expect(orch.controllerPid()).toBe(pid);
    expect(
      orch.tmux("list-windows", "-t", "agent-system", "-F", "#{window_name}").stdout.split("\n"),
    ).toContain("controller");
    const events = (await orch.ok(["events", "--json", "--limit", "50"]))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as EventJson);
    const kinds = events.map((e) => e.kind);
    expect(kinds).toContain("task.failed");
    expect(kinds).toContain("worker.dead");
    expect(kinds).toContain("worker.revived");
  });

  test("a task with retries that had begun runs again after the server went away", async () => {
    const inFlight = await orch.api<TaskJson>("POST", "/v1/tasks", {
      worker: "w",
      text: "sleep 1; echo finished",
      retries: 1,
    });
    await waitFor(
      "task running",
      async () =>
        (await orch.api<TaskJson>("GET", `/v1/tasks/${inFlight.body.id}`)).body.status === "running",
    );
    expect(orch.tmux("kill-server").code).toBe(0);
    const t = await orch.waitTask(inFlight.body.id, 30_000);
    expect(t).toMatchObject({ status: "succeeded", output: "finished\n", attempts: 2 });
    const events = (await orch.ok(["events", "--json", "--limit", "50"]))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as EventJson);
    expect(events.some((e) => e.kind === "task.requeued" && e.task === inFlight.body.id)).toBe(true);
  });

  test("the recreated worker takes new tasks", async () => {
    expect((await orch.sendWait("w", "echo revived")).output).toBe("revived\n");
  });
});
