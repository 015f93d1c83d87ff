import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OrchHarness, type StatusJson, type TaskJson, waitFor } from "../helpers/orch-harness.ts";

interface Verdict {
  worker: string;
  verdict: string;
  reason: string;
}
interface EventJson {
  id: number;
  kind: string;
  worker: string | null;
}

/**
 * Kills the worker's agent (the pane's shell) and waits until tmux has the pane dead. Whether
 * orch heard it from the pane-died hook is not waited for: tmux 3.3a sometimes misses that
 * hook, and then the health pass is what finds the death (and records it).
 */
async function killAgent(orch: OrchHarness, worker: string): Promise<void> {
  const st = await orch.json<StatusJson>(["status"]);
  const paneId = st.workers.find((w) => w.name === worker)?.paneId;
  expect(paneId).toBeTruthy();
  const pid = Number(orch.tmux("display-message", "-p", "-t", paneId!, "#{pane_pid}").stdout.trim());
  expect(pid).toBeGreaterThan(0);
  process.kill(pid, "SIGKILL");
  await waitFor(
    "the pane dead by tmux's account",
    () => orch.tmux("display-message", "-p", "-t", paneId!, "#{pane_dead}").stdout.trim() === "1",
  );
}

async function healthCheck(orch: OrchHarness): Promise<{ code: number; report: Verdict[] }> {
  const r = await orch.run(["health-check", "--json"]);
  return { code: r.code, report: JSON.parse(r.stdout) as Verdict[] };
}

describe("health pass, revive and restart intensity (compiled binary)", () => {
  // no periodic pass and no prompt revive during the test: every pass is one `orch health-check`
  const orch = new OrchHarness("dist", {
    ORCH_HEALTH_CHECK_INTERVAL: "3600",
    ORCH_REVIVE_DELAY: "3600",
    ORCH_MAX_RESTARTS: "2",
    ORCH_RESTART_WINDOW: "600",
    ORCH_STUCK_AFTER: "1",
  });
  beforeAll(async () => {
    await orch.startWithWorker("w");
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("a healthy worker is reported healthy and the command exits 0", async () => {
    const { code, report } = await healthCheck(orch);
    expect(report).toHaveLength(1);
    expect(report[0]).toMatchObject({ worker: "w", verdict: "healthy" });
    // an idle shell is also asked the plugin's echo probe, and answered it
    expect(report[0]!.reason).toMatch(/^idle, answered its probe in \d+ ms$/);
    expect(code).toBe(0);
  });

  test("a killed agent is found dead and the next pass revives it in place", async () => {
    await killAgent(orch, "w");
    const { code, report } = await healthCheck(orch);
    expect(report[0]).toMatchObject({ worker: "w", verdict: "revived" });
    expect(report[0]!.reason).toContain("was dead");
    expect(code).toBe(0);
    expect((await orch.sendWait("w", "echo back")).output).toBe("back\n");
  });

  test("a task with no output past stuckAfter is stuck: the worker is revived, the task fails", async () => {
    const sent = await orch.api<TaskJson>("POST", "/v1/tasks", { worker: "w", text: "sleep 60" });
    await waitFor(
      "task running",
      async () => (await orch.api<TaskJson>("GET", `/v1/tasks/${sent.body.id}`)).body.status === "running",
    );
    const report = await waitFor("a pass that finds it stuck", async () => {
      const r = await healthCheck(orch);
      return r.report[0]?.verdict === "revived" ? r.report : null;
    });
    expect(report[0]!.reason).toContain("no output");
    const t = await orch.waitTask(sent.body.id, 15_000);
    expect(t.status).toBe("failed");
    expect((await orch.sendWait("w", "echo alive")).output).toBe("alive\n");
  });

  test("past maxRestarts in the window the worker is given up: error state, event, exit 1", async () => {
    // two restarts so far (dead, stuck); the limit is 2
    await killAgent(orch, "w");
    const { code, report } = await healthCheck(orch);
    expect(report[0]).toMatchObject({ worker: "w", verdict: "gave_up" });
    expect(code).toBe(1);
    const st = await orch.json<StatusJson>(["status"]);
    expect(st.workers[0]).toMatchObject({ name: "w", state: "error" });
    const refused = await orch.run(["send", "w", "echo hi"]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("orch revive w");
    // it stays given up: later passes leave it alone
    expect((await healthCheck(orch)).report[0]?.verdict).toBe("gave_up");
    const events = (await orch.ok(["events", "--json", "--limit", "100"]))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as EventJson);
    const kinds = events.filter((e) => e.worker === "w").map((e) => e.kind);
    expect(kinds.filter((k) => k === "worker.dead").length).toBeGreaterThanOrEqual(2);
    expect(kinds.filter((k) => k === "worker.revived").length).toBe(2);
    expect(kinds.at(-1)).toBe("worker.gave_up");
  });

  test("events -f prints an event that happens while it follows", async () => {
    const p = Bun.spawn([...orch.command(), "events", "-f", "--limit", "1"], {
      env: orch.childEnv(),
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      const reader = p.stdout.getReader();
      let seen = "";
      const first = await reader.read();
      seen += new TextDecoder().decode(first.value);
      expect(seen).toContain("worker.gave_up");
      await orch.ok(["revive", "w"]);
      await waitFor("the revive event in the followed stream", async () => {
        const r = await reader.read();
        seen += new TextDecoder().decode(r.value);
        return seen.includes("worker.revived");
      });
    } finally {
      p.kill();
      await p.exited;
    }
  });

  test("a revive by hand starts the restart count again: the next death is revived, not given up", async () => {
    // the previous test revived w by hand after it was given up
    expect((await orch.json<StatusJson>(["status"])).workers[0]?.state).toBe("idle");
    await killAgent(orch, "w");
    const { code, report } = await healthCheck(orch);
    expect(report[0]).toMatchObject({ worker: "w", verdict: "revived" });
    expect(code).toBe(0);
  });

  test("a shell that does not answer the echo probe is stuck and revived", async () => {
    // someone at the pane replaced the shell with a program that ignores what is typed
    const paneId = (await orch.json<StatusJson>(["status"])).workers[0]?.paneId;
    expect(orch.tmux("send-keys", "-t", paneId!, "exec sleep 1000", "Enter").code).toBe(0);
    await waitFor(
      "the pane running sleep",
      () =>
        orch.tmux("display-message", "-p", "-t", paneId!, "#{pane_current_command}").stdout.trim() ===
        "sleep",
    );
    const { code, report } = await healthCheck(orch);
    expect(report[0]).toMatchObject({ worker: "w", verdict: "revived" });
    expect(report[0]!.reason).toContain("did not answer its probe within 5000 ms");
    expect(code).toBe(0);
    expect((await orch.sendWait("w", "echo answering")).output).toBe("answering\n");
  });
});
