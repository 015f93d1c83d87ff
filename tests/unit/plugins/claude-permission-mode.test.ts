/**
 * The permission mode a `claude` worker starts in: orch passes it explicitly, because Claude
 * Code's own default became `auto` (it answers its permission prompts itself, so orch's
 * approvalPolicy would never see them).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { makeStartupContext } from "../../../src/core/plugin/startup-context.ts";
import { batchPermissionArgs } from "../../../src/plugins/claude/batch.ts";
import {
  CLAUDE_PERMISSION_MODES,
  claudePermissionArgs,
  claudePermissionMode,
} from "../../../src/plugins/claude/permission-mode.ts";
import { builtinPlugins } from "../../../src/plugins/index.ts";

const saved = { mode: process.env.ORCH_CLAUDE_PERMISSION_MODE, batch: process.env.ORCH_CLAUDE_BATCH_ARGS };
afterEach(() => {
  for (const [k, v] of [
    ["ORCH_CLAUDE_PERMISSION_MODE", saved.mode],
    ["ORCH_CLAUDE_BATCH_ARGS", saved.batch],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const ctx = makeStartupContext({
  workerName: "w1",
  project: "/src/app",
  dataDir: "/tmp/orch-none/w1",
  home: "/tmp/orch-none",
});

describe("claude permission mode", () => {
  test("unset or empty: default (every permission prompt shows, for orch's policy or a human)", () => {
    expect(claudePermissionMode(undefined)).toBe("default");
    expect(claudePermissionMode("")).toBe("default");
    expect(claudePermissionMode(" acceptEdits ")).toBe("acceptEdits");
    for (const m of CLAUDE_PERMISSION_MODES) expect(claudePermissionMode(m)).toBe(m);
  });

  test("an unknown mode is refused, naming the value and the choices", () => {
    expect(() => claudePermissionMode("yolo")).toThrow(
      'ORCH_CLAUDE_PERMISSION_MODE is "yolo"; expected one of default, manual, acceptEdits, plan, auto, dontAsk, bypassPermissions',
    );
  });

  test("skipPermissions replaces the mode by the skip flag", () => {
    expect(claudePermissionArgs(false, undefined)).toEqual(["--permission-mode", "default"]);
    expect(claudePermissionArgs(false, "auto")).toEqual(["--permission-mode", "auto"]);
    expect(claudePermissionArgs(true, "plan")).toEqual(["--dangerously-skip-permissions"]);
  });

  test("the interactive worker is started with --permission-mode default, or the mode asked for", () => {
    expect(builtinPlugins.claude!().startup(ctx).argv.slice(-2)).toEqual(["--permission-mode", "default"]);
    process.env.ORCH_CLAUDE_PERMISSION_MODE = "acceptEdits";
    expect(builtinPlugins.claude!().startup(ctx).argv.slice(-2)).toEqual([
      "--permission-mode",
      "acceptEdits",
    ]);
    process.env.ORCH_CLAUDE_PERMISSION_MODE = "bogus";
    expect(() => builtinPlugins.claude!().startup(ctx)).toThrow('ORCH_CLAUDE_PERMISSION_MODE is "bogus"');
  });

  test("claude -p gets the same mode, unless the user's batch args pick one", () => {
    expect(batchPermissionArgs("")).toBe("--permission-mode default ");
    expect(batchPermissionArgs("--allowedTools Bash")).toBe("--permission-mode default ");
    expect(batchPermissionArgs("--permission-mode plan")).toBe("");
    expect(batchPermissionArgs("--model x --permission-mode=plan")).toBe("");
    expect(batchPermissionArgs("--dangerously-skip-permissions")).toBe("");
    process.env.ORCH_CLAUDE_BATCH_ARGS = "--allowedTools Bash";
    const d = builtinPlugins["claude-batch"]!().frame(
      { id: "t1", text: "hi" },
      {
        startPrefix: "S-",
        endPrefix: "E-",
        suffix: "-X",
      },
    );
    expect(d.text).toContain("--output-format json --permission-mode default --allowedTools Bash");
  });
});
