/** Panes no stored worker owns: which they are, and the worker a window name stands for. */
import { describe, expect, test } from "bun:test";
import type { Logger } from "../../../src/core/controller/logger.ts";
import { type OrphanChoice, settleOrphans, workerOfWindow } from "../../../src/core/controller/orphans.ts";
import { orchPaths } from "../../../src/core/controller/paths.ts";
import { PluginRegistry } from "../../../src/core/plugin/registry.ts";
import type { Store } from "../../../src/core/store/index.ts";
import type { PaneInfo } from "../../../src/core/tmux/operations.ts";
import { PANE_FORMAT, panesNotOf, parsePaneLines } from "../../../src/core/tmux/pane-list.ts";
import type { PaneOps } from "../../../src/core/tmux/pane-ops.ts";
import { shellPlugin } from "../../../src/plugins/shell/index.ts";
import { makeWorker, storePerTest } from "../store/helpers.ts";

function pane(paneId: string, windowName: string, workerId: string | null): PaneInfo {
  return {
    paneId,
    windowId: `@${paneId.slice(1)}`,
    windowName,
    pid: 100,
    dead: false,
    deadStatus: null,
    deadSignal: null,
    workerId,
    piped: true,
    sent: null,
  };
}

describe("workerOfWindow", () => {
  const types = ["shell", "claude", "claude-batch", "gpt", "gpt-batch"];
  test("TYPE-NAME, the longest type first", () => {
    expect(workerOfWindow("shell-x", types)).toEqual({ type: "shell", name: "x" });
    expect(workerOfWindow("claude-batch-b1", types)).toEqual({ type: "claude-batch", name: "b1" });
    expect(workerOfWindow("claude-c-1", types)).toEqual({ type: "claude", name: "c-1" });
  });
  test("no loaded type, or a rest that is no worker name: null", () => {
    expect(workerOfWindow("vim", types)).toBeNull();
    expect(workerOfWindow("aider-x", types)).toBeNull();
    expect(workerOfWindow("shell-", types)).toBeNull();
    expect(workerOfWindow("shell-a b", types)).toBeNull();
  });
});

describe("panesNotOf", () => {
  test("panes of unknown ids and unmarked panes, never the controller's view", () => {
    const panes = [
      pane("%0", "controller", null),
      pane("%1", "shell-a", "id-a"),
      pane("%2", "shell-x", "id-x"),
      pane("%3", "shell-y", null),
    ];
    expect(panesNotOf(panes, new Set(["id-a"])).map((p) => p.paneId)).toEqual(["%2", "%3"]);
    expect(panesNotOf(panes, new Set(["id-a", "id-x"])).map((p) => p.paneId)).toEqual(["%3"]);
  });
});

describe("parsePaneLines", () => {
  test("reads every field of PANE_FORMAT, the start path too", () => {
    const fields = PANE_FORMAT.split("\u001f").length;
    expect(fields).toBe(12);
    const line = [
      "%4",
      "@3",
      "shell-x",
      "42",
      "1",
      "0",
      "id-x",
      "0",
      "9",
      "/srv/app",
      "t1.2",
      "follows-rename",
    ].join("\u001f");
    expect(parsePaneLines([line, "noise"])).toEqual([
      {
        paneId: "%4",
        windowId: "@3",
        windowName: "shell-x",
        pid: 42,
        dead: true,
        deadStatus: 0,
        deadSignal: "9",
        workerId: "id-x",
        piped: false,
        logFollowsRename: true,
        sent: "t1.2",
        startPath: "/srv/app",
      },
    ]);
  });
});

describe("settleOrphans", () => {
  let store: Store;
  storePerTest((s) => {
    store = s;
  });

  /** The controller's view, worker a's pane, and `extra` panes; what was asked of tmux and logged. */
  function setup(extra: PaneInfo[], failKill = false) {
    const a = makeWorker({ name: "a", paneId: "%1" });
    store.workers.insert(a);
    const panes = [pane("%0", "controller", null), pane("%1", "shell-a", a.id), ...extra];
    const calls: string[] = [];
    const ops = {
      listPanes: async () => panes,
      killWindow: async (id: string) => {
        if (failKill) throw new Error("no such window");
        calls.push(`kill ${id}`);
      },
      setPaneOption: async (id: string, key: string, value: string) => {
        calls.push(`set ${id} ${key} ${value}`);
      },
      closePipe: async (id: string) => {
        calls.push(`close pipe ${id}`);
      },
    } as unknown as PaneOps;
    const lines: string[] = [];
    const logger: Logger = { log: (level, msg) => lines.push(`${level} ${msg}`) };
    const plugins = new PluginRegistry();
    plugins.register(shellPlugin, "built-in shell");
    const run = (choice: OrphanChoice) =>
      settleOrphans({ paths: orchPaths("/home/o"), store, plugins, logger, ops }, choice);
    return { a, calls, lines, run };
  }

  test("keep: left running, and a warning lists them", async () => {
    const s = setup([pane("%2", "shell-x", "id-x")]);
    expect(await s.run("keep")).toEqual([
      { paneId: "%2", windowName: "shell-x", workerId: "id-x", action: "kept" },
    ]);
    expect(s.calls).toEqual([]);
    expect(s.lines.join("\n")).toContain(
      "warn 1 agent pane(s) no worker owns keep running, unlisted: %2 shell-x",
    );
  });

  test("kill: their windows closed", async () => {
    const s = setup([pane("%2", "shell-x", "id-x"), pane("%3", "vim", null)]);
    expect((await s.run("kill")).map((o) => o.action)).toEqual(["killed", "killed"]);
    expect(s.calls).toEqual(["kill %2", "kill %3"]);
  });

  test("kill: a window that cannot be closed is kept, saying why", async () => {
    const s = setup([pane("%2", "shell-x", "id-x")], true);
    expect(await s.run("kill")).toMatchObject([{ action: "kept", reason: "cannot kill it: no such window" }]);
    expect(s.lines.some((l) => l.startsWith("warn ") && l.includes("%2 shell-x (cannot kill it"))).toBe(true);
  });

  test("adopt: a worker from the window name, the pane's id and start path", async () => {
    const s = setup([{ ...pane("%2", "shell-x", "id-x"), startPath: "/srv/x" }, pane("%3", "shell-y", null)]);
    const out = await s.run("adopt");
    expect(out.map((o) => [o.paneId, o.action, o.worker])).toEqual([
      ["%2", "adopted", "x"],
      ["%3", "adopted", "y"],
    ]);
    expect(store.workers.get("x")).toMatchObject({
      id: "id-x",
      type: "shell",
      project: "/srv/x",
      paneId: "%2",
    });
    const y = store.workers.get("y")!;
    expect(y.project).toBe("/home/o"); // tmux said no start path
    expect(s.calls).toEqual([`set %3 @orch_worker ${y.id}`]); // %2 had its id already
  });

  test("adopt: the stored worker of that name whose pane is gone takes the agent over; one with a pane does not", async () => {
    const s = setup([pane("%2", "shell-a", "id-a2"), pane("%4", "shell-x", "id-x2")]);
    const x = makeWorker({ name: "x", paneId: "%9" }); // its pane is not on the server
    store.workers.insert(x);
    const out = await s.run("adopt");
    expect(out.map((o) => [o.paneId, o.worker])).toEqual([
      ["%2", "a-2"],
      ["%4", "x"],
    ]);
    // a-2's pipe wrote to a's log: closed, for adoption to open a-2's own
    expect(s.calls).toEqual(["close pipe %2", `set %4 @orch_worker ${x.id}`]);
    expect(
      store.workers
        .list()
        .map((w) => w.name)
        .sort(),
    ).toEqual(["a", "a-2", "x"]);
  });

  test("adopt: a window naming no loaded type is kept, with the reason", async () => {
    const s = setup([pane("%5", "aider-z", null)]);
    expect(await s.run("adopt")).toMatchObject([
      { paneId: "%5", action: "kept", reason: expect.stringContaining("names no loaded agent type") },
    ]);
    expect(s.lines.some((l) => l.startsWith("warn ") && l.includes("%5 aider-z"))).toBe(true);
  });
});
