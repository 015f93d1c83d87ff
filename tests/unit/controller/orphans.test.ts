/** Panes no stored worker owns: which they are, and the worker a window name stands for. */
import { describe, expect, test } from "bun:test";
import { workerOfWindow } from "../../../src/core/controller/orphans.ts";
import type { PaneInfo } from "../../../src/core/tmux/operations.ts";
import { PANE_FORMAT, panesNotOf, parsePaneLines } from "../../../src/core/tmux/pane-list.ts";

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
    expect(fields).toBe(10);
    const line = ["%4", "@3", "shell-x", "42", "1", "0", "id-x", "0", "9", "/srv/app"].join("\u001f");
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
        startPath: "/srv/app",
      },
    ]);
  });
});
