import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { OrchHarness, type StatusJson, type TaskJson, waitFor } from "../helpers/orch-harness.ts";

describe("task lifecycle on a shell worker", () => {
  const orch = new OrchHarness("src");
  let project = "";
  beforeAll(async () => {
    project = await orch.startWithWorker("w");
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("runs in the project directory, with ORCH_WORKER set", async () => {
    expect((await orch.sendWait("w", "pwd; echo $ORCH_WORKER")).output).toBe(`${project}\nw\n`);
  });

  test("a non-zero exit is a failed task with its exit code", async () => {
    const t = await orch.sendWait("w", "echo oops >&2; exit 7");
    expect(t.status).toBe("failed");
    expect(t.exitCode).toBe(7);
    expect(t.output).toBe("oops\n");
    expect(t.error).toContain("7");
  });

  test("while a task runs the worker is running it; once its answer is out, the worker is idle", async () => {
    const r = await orch.api<TaskJson>("POST", "/v1/tasks", { worker: "w", text: "sleep 0.5; echo slow" });
    await waitFor("the worker shown running the slow task", async () => {
      const w = (await orch.json<StatusJson>(["status"])).workers.find((x) => x.name === "w");
      return w?.state === "running" && w.currentTask === r.body.id;
    });
    await orch.waitTask(r.body.id);
    // the answer comes after the commit that made the worker idle: no wait needed here
    const w = (await orch.json<StatusJson>(["status"])).workers.find((x) => x.name === "w");
    expect(w).toMatchObject({ state: "idle", currentTask: null });
  });

  test("the worker survives 'exit' and keeps its shell", async () => {
    expect((await orch.sendWait("w", "exit 0")).status).toBe("succeeded");
    expect((await orch.sendWait("w", "echo still here")).output).toBe("still here\n");
  });

  test("a task over its timeout is interrupted and recorded timed_out; the next task runs", async () => {
    const t = await orch.sendWait("w", "echo started; sleep 30", 1);
    expect(t.status).toBe("timed_out");
    expect(t.error).toContain("timed out after 1 s");
    expect(t.output).toBe("started\n");
    // interrupted, not run to the end of its sleep
    expect(Date.parse(t.finishedAt!) - Date.parse(t.startedAt!)).toBeLessThan(30_000);
    expect((await orch.sendWait("w", "echo next")).output).toBe("next\n");
  });

  test("tasks sent to a busy worker wait their turn in FIFO order, each with its own result", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await orch.api<TaskJson>("POST", "/v1/tasks", {
        worker: "w",
        text: `sleep 0.0${i % 3}; echo task-${i} | tee -a order.txt`,
      });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const done = await Promise.all(ids.map((id) => orch.waitTask(id)));
    done.forEach((t, i) => {
      expect(t.status).toBe("succeeded");
      expect(t.output).toBe(`task-${i}\n`);
    });
    const order = readFileSync(join(project, "order.txt"), "utf8");
    expect(order).toBe(Array.from({ length: 8 }, (_, i) => `task-${i}\n`).join(""));
    const starts = done.map((t) => Date.parse(t.startedAt!));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
  });

  test("every state change is in the store: task JSON has the contract's fields and times", async () => {
    const t = await orch.sendWait("w", "echo x");
    const again = await orch.json<TaskJson>(["task", t.id]);
    expect(again).toMatchObject({
      id: t.id,
      worker: "w",
      status: "succeeded",
      exitCode: 0,
      output: "x\n",
      attempts: 1,
      error: null,
    });
    for (const k of ["submittedAt", "startedAt", "finishedAt"] as const) {
      expect(again[k]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    expect(Date.parse(again.submittedAt) <= Date.parse(again.startedAt!)).toBe(true);
    expect(Date.parse(again.startedAt!) <= Date.parse(again.finishedAt!)).toBe(true);
  });

  test("a killed agent is seen dead at once, its task fails with the reason, and it is revived", async () => {
    await orch.ok(["add-worker", "--type", "shell", "--project", project, "--name", "victim"]);
    const st = await orch.json<StatusJson>(["status"]);
    const pane = st.workers.find((w) => w.name === "victim")!.paneId!;
    const pid = Number(orch.tmux("display-message", "-p", "-t", pane, "#{pane_pid}").stdout.trim());
    const sent = await orch.api<TaskJson>("POST", "/v1/tasks", {
      worker: "victim",
      text: "echo begun; sleep 30",
    });
    await waitFor(
      "task running",
      async () => (await orch.api<TaskJson>("GET", `/v1/tasks/${sent.body.id}`)).body.status === "running",
    );
    process.kill(pid, "SIGKILL");
    const t = await orch.waitTask(sent.body.id, 10_000);
    expect(t.status).toBe("failed");
    expect(t.error).toContain("agent killed by signal 9 (SIGKILL)");
    // dead is recorded (an event with the reason), then the worker is revived by itself
    const events = async () =>
      (await orch.ok(["events", "--json", "--limit", "100"]))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { kind: string; worker: string; data: Record<string, unknown> })
        .filter((e) => e.worker === "victim");
    const dead = (await events()).find((e) => e.kind === "worker.dead");
    expect(String(dead?.data.reason)).toBe("agent killed by signal 9 (SIGKILL)");
    const w = await waitFor("victim revived by itself", async () =>
      (await orch.json<StatusJson>(["status"])).workers.find(
        (x) => x.name === "victim" && x.state === "idle" && x.restarts === 1,
      ),
    );
    expect(w.error).toBeNull();
    expect((await events()).find((e) => e.kind === "worker.revived")?.data).toEqual({ by: "auto" });
    expect((await orch.sendWait("victim", "echo back")).output).toBe("back\n");
  });

  test("logs -f streams what the pane prints from now on", async () => {
    const follower = Bun.spawn([...orch.command(), "logs", "w", "-f"], {
      env: orch.childEnv(),
      stdout: "pipe",
    });
    try {
      let seen = "";
      const reader = (async () => {
        const decoder = new TextDecoder();
        for await (const c of follower.stdout) seen += decoder.decode(c);
      })();
      await orch.sendWait("w", "echo follow-me-$((20+22))");
      await waitFor("the new output in logs -f", () => seen.includes("follow-me-42"));
      expect(seen).not.toContain("\x1b");
      follower.kill();
      await reader;
    } finally {
      follower.kill();
    }
  });

  test("kill-worker removes the worker and its window", async () => {
    await orch.ok(["add-worker", "--type", "shell", "--project", project, "--name", "gone"]);
    await orch.ok(["kill-worker", "gone"]);
    const st = await orch.json<StatusJson>(["status"]);
    expect(st.workers.map((w) => w.name)).not.toContain("gone");
    expect(orch.tmux("list-windows", "-a", "-F", "#{window_name}").stdout).not.toContain("shell-gone");
  });

  test("the session has window 0 'controller' and one window per worker named TYPE-NAME", () => {
    const windows = orch.tmux(
      "list-windows",
      "-t",
      "agent-system",
      "-F",
      "#{window_index} #{window_name}",
    ).stdout;
    expect(windows).toContain("0 controller");
    expect(windows).toContain("shell-w");
  });
});

describe("stop and start: agents keep running and are adopted again", () => {
  const orch = new OrchHarness("src");
  beforeAll(async () => {
    await orch.startWithWorker("a");
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("a second start is harmless", async () => {
    const pid = orch.controllerPid();
    expect((await orch.run(["start"])).code).toBe(0);
    expect(orch.controllerPid()).toBe(pid);
  });

  test("after stop the pane lives on; the next start adopts it by its pane option", async () => {
    const before = (await orch.json<StatusJson>(["status"])).workers[0]!;
    await orch.ok(["stop"]);
    expect((await orch.run(["status"])).code).toBe(3);
    expect(orch.tmux("list-panes", "-t", before.paneId!, "-F", "#{pane_dead}").stdout.trim()).toBe("0");
    await orch.ok(["start"]);
    const after = (await orch.json<StatusJson>(["status"])).workers[0]!;
    expect(after).toMatchObject({ name: "a", id: before.id, paneId: before.paneId, state: "idle" });
    expect((await orch.sendWait("a", "echo adopted")).output).toBe("adopted\n");
  });

  test("each controller sets a shell up with its first task, also one whose helpers are gone (an older orch's)", async () => {
    const log = join(orch.home, "logs", "a.log");
    const paneId = (await orch.json<StatusJson>(["status"])).workers[0]!.paneId!;
    await orch.ok(["stop"]);
    // as a shell an older orch started: no helpers
    orch.tmux("send-keys", "-t", paneId, "-l", "--", "unset -f _orch_s _orch_e; echo helpers-gone");
    orch.tmux("send-keys", "-t", paneId, "Enter");
    await waitFor("the shell ran the unset", () => /[\r\n]helpers-gone\r?\n/.test(readFileSync(log, "utf8")));
    await orch.ok(["start"]);
    let last = "";
    for (const word of ["one", "two", "three"]) {
      const t = await orch.sendWait("a", `echo ${word}`);
      expect(t.output).toBe(`${word}\n`);
      last = t.id;
    }
    // (the pane log's filter writes a burst's tail up to 50 ms after its head)
    await waitFor("the last task in the pane log", () => readFileSync(log, "utf8").includes(`${last}-0-`));
    // the first task typed the helpers again; the two after were short lines
    const since = readFileSync(log, "utf8")
      .split(/[\r\n]helpers-gone\r?\n/)
      .at(-1)!;
    const firstEnd = since.indexOf("END-OF-OUTPUT-");
    expect(since.slice(0, firstEnd)).toContain("_orch_s() {");
    expect(since.slice(firstEnd)).not.toContain("_orch_s() {");
    expect(since.slice(firstEnd).match(/_orch_s \S+ [0-9a-f-]{36};\(/g)?.length).toBeGreaterThanOrEqual(2);
  });

  test("a task that finished while the controller was down is recorded from the pane log", async () => {
    const sent = await orch.api<TaskJson>("POST", "/v1/tasks", {
      worker: "a",
      text: "sleep 1; echo finished-offline",
    });
    await waitFor(
      "task running",
      async () => (await orch.api<TaskJson>("GET", `/v1/tasks/${sent.body.id}`)).body.status === "running",
    );
    const pid = orch.controllerPid()!;
    process.kill(pid, "SIGKILL");
    await waitFor("controller gone", () => orch.run(["status"]).then((r) => r.code === 3));
    // the scenario: the task ends while no controller runs (its end marker reaches the pane log)
    const log = join(orch.home, "logs", "a.log");
    await waitFor("the task's end marker in the pane log", () =>
      readFileSync(log, "utf8").includes(`END-OF-OUTPUT-${sent.body.id}-0-`),
    );
    await orch.ok(["start"]);
    const t = await orch.waitTask(sent.body.id, 15_000);
    expect(t.status).toBe("succeeded");
    expect(t.output).toBe("finished-offline\n");
    expect((await orch.sendWait("a", "echo then")).output).toBe("then\n");
  });

  test("a task still running when the controller restarts is watched to its end", async () => {
    const sent = await orch.api<TaskJson>("POST", "/v1/tasks", { worker: "a", text: "sleep 1.5; echo late" });
    await waitFor(
      "task running",
      async () => (await orch.api<TaskJson>("GET", `/v1/tasks/${sent.body.id}`)).body.status === "running",
    );
    await orch.ok(["stop"]);
    await orch.ok(["start"]);
    const t = await orch.waitTask(sent.body.id, 15_000);
    expect(t.status).toBe("succeeded");
    expect(t.output).toBe("late\n");
  });
});
