/**
 * Agents the store does not know after `orch restore`: restore names their panes, `orch start
 * --orphans=adopt|kill|keep` does what it says, and the log tells the truth about lost panes.
 * Through the compiled binary, on a real tmux server of the harness's own.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { OrchHarness, type StatusJson } from "../helpers/orch-harness.ts";

const h = new OrchHarness("dist");
let project: string;
const backup = (n: string) => join(h.root, `backup-${n}.db`);

beforeAll(async () => {
  project = await h.startWithWorker("a");
  await h.ok(["backup", backup("a")]); // a store that knows only a
}, 60_000);

afterAll(() => h.cleanup(), 30_000);

/** The names of the windows on the harness's tmux server. */
function windows(): string[] {
  return h.tmux("list-windows", "-a", "-F", "#{window_name}").stdout.trim().split("\n").filter(Boolean);
}

async function workerNames(): Promise<string[]> {
  return (JSON.parse(await h.ok(["status", "--json"])) as StatusJson).workers.map((w) => w.name).sort();
}

/** `orch start ARGS` after a stop and a restore of `file`; what start printed and logged. */
async function restartFrom(file: string, startArgs: string[] = []) {
  await h.ok(["stop"]);
  const restored = await h.run(["restore", file, "--json"]);
  expect(restored.code).toBe(0);
  const log = join(h.home, "logs", "controller.log");
  const from = statSync(log).size;
  const started = await h.run(["start", ...startArgs]);
  expect(started.code).toBe(0);
  return {
    restored: JSON.parse(restored.stdout) as { unknownPanes: Array<{ windowName: string; paneId: string }> },
    started,
    log: () => readFileSync(log, "utf8").slice(from),
  };
}

describe("panes the restored store does not know", () => {
  test("restore names them, in words and in --json", async () => {
    await h.ok(["add-worker", "--type", "shell", "--project", project, "--name", "x"]);
    await h.ok(["stop"]);
    const r = await h.run(["restore", backup("a")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /1 agent pane\(s\) on the tmux server are not in the restored store: %\d+ shell-x/,
    );
    const j = JSON.parse((await h.run(["restore", backup("a"), "--json"])).stdout);
    expect(j.unknownPanes.map((p: { windowName: string }) => p.windowName)).toEqual(["shell-x"]);
    await h.ok(["start", "--orphans=keep"]);
  }, 60_000);

  test("--orphans=keep leaves the agent running, unlisted, and says so on stderr and in the log", async () => {
    const r = await restartFrom(backup("a"), ["--orphans=keep"]);
    expect(r.started.stderr).toMatch(
      /warning: 1 agent pane\(s\) no worker owns keep running, unlisted: %\d+ shell-x/,
    );
    expect(await workerNames()).toEqual(["a"]);
    expect(windows()).toContain("shell-x");
    expect(r.log()).toContain("agent pane(s) no worker owns keep running, unlisted");
  }, 60_000);

  test("--orphans=kill closes its window", async () => {
    const r = await restartFrom(backup("a"), ["--orphans=kill"]);
    expect(r.restored.unknownPanes.map((p) => p.windowName)).toEqual(["shell-x"]);
    expect(r.started.stdout).toMatch(/killed 1 agent pane\(s\) no worker owned: %\d+ shell-x/);
    expect(windows()).not.toContain("shell-x");
    expect(await workerNames()).toEqual(["a"]);
  }, 60_000);

  test("a bad --orphans value is a usage error naming it", async () => {
    const r = await h.run(["start", "--orphans=drop"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--orphans "drop": expected adopt, kill or keep');
  });

  test("by default start adopts it: a listed, usable worker, the one window it had", async () => {
    await h.ok(["add-worker", "--type", "shell", "--project", project, "--name", "x"]);
    const r = await restartFrom(backup("a"));
    expect(r.started.stdout).toMatch(/adopted 1 agent pane\(s\) no worker owned: %\d+ shell-x as worker x/);
    expect(await workerNames()).toEqual(["a", "x"]);
    expect(windows().filter((w) => w === "shell-x").length).toBe(1);
    const t = await h.sendWait("x", "echo adopted-$((40 + 2))");
    expect(t.status).toBe("succeeded");
    expect(t.output).toBe("adopted-42\n");
    expect(r.log()).not.toContain("went away");
  }, 60_000);

  test("a stored worker whose pane is gone takes over the running agent of its name: no second window", async () => {
    await h.ok(["backup", backup("ax")]); // a and x
    await h.ok(["kill-worker", "x"]);
    await h.ok(["add-worker", "--type", "shell", "--project", project, "--name", "x"]); // another id
    const r = await restartFrom(backup("ax"));
    expect(r.restored.unknownPanes.map((p) => p.windowName)).toEqual(["shell-x"]);
    expect(r.started.stdout).toMatch(/adopted 1 agent pane\(s\) no worker owned: %\d+ shell-x as worker x/);
    expect(await workerNames()).toEqual(["a", "x"]);
    expect(windows().filter((w) => w === "shell-x").length).toBe(1);
    expect((await h.sendWait("x", "echo still-$((1 + 1))")).output).toBe("still-2\n");
    expect(r.log()).not.toContain("went away");
  }, 60_000);

  test("a stored worker whose pane was closed while tmux kept running: the log says so, not that tmux went away", async () => {
    await h.ok(["backup", backup("ax2")]);
    await h.ok(["kill-worker", "x"]);
    const r = await restartFrom(backup("ax2"));
    expect(r.restored.unknownPanes).toEqual([]);
    expect(r.started.stdout).not.toContain("adopted");
    expect(await workerNames()).toEqual(["a", "x"]);
    expect((await h.sendWait("x", "echo again")).output).toBe("again\n");
    expect(r.log()).toContain("not on the tmux server, which kept running");
    expect(r.log()).not.toContain("went away");
  }, 60_000);
});
