import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  DIST,
  OrchHarness,
  pathWithoutBun,
  type StatusJson,
  type TaskJson,
} from "../helpers/orch-harness.ts";

describe("the compiled binary, end to end (no bun, no node_modules on PATH)", () => {
  const orch = new OrchHarness("dist");
  beforeAll(async () => {
    expect(statSync(DIST).isFile()).toBe(true);
    expect(Bun.which("bun", { PATH: pathWithoutBun() })).toBeNull();
  });
  afterAll(() => orch.cleanup(), 30_000);

  test("--help and --version answer without a controller", async () => {
    const help = await orch.run(["--help"]);
    expect(help.code).toBe(0);
    for (const cmd of [
      "start",
      "stop",
      "daemon",
      "add-worker",
      "status",
      "send",
      "task",
      "results",
      "capture",
      "logs",
      "attach",
      "kill-worker",
      "revive",
    ]) {
      expect(help.stdout).toContain(cmd);
    }
    expect((await orch.run(["--version"])).stdout).toMatch(/\d+\.\d+\.\d+/);
  });

  test("start brings up the controller as its own process and tmux on the private socket", async () => {
    await orch.ok(["start"]);
    const st = await orch.json<StatusJson>(["status"]);
    expect(st.controller.pid).toBe(orch.controllerPid()!);
    expect(st.controller.socket).toBe(join(orch.home, "orch.sock"));
    const serverPid = Number(orch.tmux("display-message", "-p", "#{pid}").stdout.trim());
    // the controller is not a child of the tmux server, so it outlives a tmux crash
    const ppid = Number(
      (await Bun.file(`/proc/${st.controller.pid}/stat`).text()).split(") ")[1]!.split(" ")[1],
    );
    expect(ppid).not.toBe(serverPid);
  });

  test("state files are private: folders 0700, files and sockets 0600", () => {
    const mode = (p: string) => statSync(join(orch.home, p)).mode & 0o777;
    expect(mode(".")).toBe(0o700);
    expect(mode("orch.db")).toBe(0o600);
    expect(mode("orch.sock")).toBe(0o600);
    expect(mode("logs")).toBe(0o700);
    expect(mode("logs/controller.log")).toBe(0o600);
  });

  test("parallel tests across four projects: each result is its own, in parallel", async () => {
    const names = ["alpha", "beta", "gamma", "delta"];
    for (const n of names) {
      const dir = orch.project(n);
      writeFileSync(
        join(dir, "test.sh"),
        `#!/bin/sh\nsleep 1\necho "${n}: ok"\n${n === "gamma" ? "exit 1" : "exit 0"}\n`,
        { mode: 0o755 },
      );
      expect((await orch.ok(["add-worker", "--type", "shell", "--project", dir, "--name", n])).trim()).toBe(
        n,
      );
    }
    const ids: Record<string, string> = {};
    for (const n of names) ids[n] = (await orch.ok(["send", n, "./test.sh"])).trim();
    const results: Record<string, TaskJson> = {};
    for (const n of names) {
      const r = await orch.run(["task", ids[n]!, "--wait", "--json"]);
      expect(r.code).toBe(0);
      results[n] = JSON.parse(r.stdout) as TaskJson;
    }
    // they ran side by side: every task started before any of them finished
    const starts = names.map((n) => Date.parse(results[n]!.startedAt!));
    const ends = names.map((n) => Date.parse(results[n]!.finishedAt!));
    expect(Math.max(...starts)).toBeLessThan(Math.min(...ends));
    for (const n of names) {
      expect(results[n]!.output).toBe(`${n}: ok\n`);
      expect(results[n]!.status).toBe(n === "gamma" ? "failed" : "succeeded");
    }
  });

  test("send --wait exit codes: 0 ok, 1 failed, 124 timed out", async () => {
    const ok = await orch.run(["send", "alpha", "--wait", "--", "printf", "'%s'", "done"]);
    expect(ok).toMatchObject({ code: 0, stdout: "done" });
    expect((await orch.run(["send", "alpha", "false", "--wait"])).code).toBe(1);
    expect((await orch.run(["send", "alpha", "sleep 10", "--wait", "--timeout", "0.5"])).code).toBe(124);
  });

  test("results, capture and logs read what happened", async () => {
    const results = await orch.json<TaskJson[]>(["results"]);
    expect(results.length).toBeGreaterThanOrEqual(7);
    expect((await orch.run(["results"])).stdout).toMatch(/^ID\s+WORKER\s+STATUS/);
    const capture = await orch.ok(["capture", "beta"]);
    expect(capture).toContain("beta: ok");
    expect(statSync(join(orch.home, "logs", "beta.log")).mode & 0o777).toBe(0o600);
    const logs = await orch.ok(["logs", "beta"]);
    expect(logs).toContain("beta: ok");
    expect(logs).not.toContain("\x1b");
  });

  test("status shows the workers as a table and as JSON", async () => {
    const text = await orch.ok(["status"]);
    expect(text).toMatch(/NAME\s+TYPE\s+STATE/);
    const st = await orch.json<StatusJson>(["status"]);
    expect(st.workers.map((w) => w.name).sort()).toEqual(["alpha", "beta", "delta", "gamma"]);
    expect(st.workers.every((w) => w.state === "idle" && w.paneId?.startsWith("%"))).toBe(true);
  });

  test("stop --kill-workers takes everything down; status then exits 3", async () => {
    await orch.ok(["stop", "--kill-workers"]);
    expect((await orch.run(["status"])).code).toBe(3);
    expect(orch.tmux("list-sessions").code).not.toBe(0);
  });
});
