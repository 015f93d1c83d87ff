/** Permission-skipping flags: built-in plugins ask for them only when the config turns them on. */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findPermissionSkip, permissionSkipRefusal } from "../../../src/core/domain/permission-skip.ts";
import { makeStartupContext } from "../../../src/core/plugin/startup-context.ts";
import { builtinPlugins } from "../../../src/plugins/index.ts";

const home = mkdtempSync(join(tmpdir(), "orch-skip-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const ctx = (skipPermissions: boolean) =>
  makeStartupContext({
    workerName: "w1",
    project: "/src/app",
    dataDir: join(home, "w1"),
    home,
    orchHome: home,
    ...(skipPermissions ? { skipPermissions } : {}),
  });

/** The `--settings` file claude is started with. */
function claudeSettings(skip: boolean): Record<string, unknown> {
  const spec = builtinPlugins.claude!().startup(ctx(skip));
  const file = spec.files?.find((f) => f.path === "claude-settings.json");
  return JSON.parse(file!.content!) as Record<string, unknown>;
}

describe("skipPermissions in the startup context", () => {
  test("off unless given", () => {
    expect(makeStartupContext({ workerName: "w", project: "/p", dataDir: "/d" }).skipPermissions).toBe(false);
    expect(ctx(true).skipPermissions).toBe(true);
  });

  test("claude: --dangerously-skip-permissions (instead of orch's permission mode) and the dialog's answer only when on", () => {
    const off = builtinPlugins.claude!().startup(ctx(false)).argv;
    expect(off).not.toContain("--dangerously-skip-permissions");
    expect(off.slice(-2)).toEqual(["--permission-mode", "default"]);
    expect(claudeSettings(false).skipDangerousModePermissionPrompt).toBeUndefined();
    const on = builtinPlugins.claude!().startup(ctx(true)).argv;
    expect(on).toEqual([...off.slice(0, -2), "--dangerously-skip-permissions"]);
    expect(claudeSettings(true).skipDangerousModePermissionPrompt).toBe(true);
    expect(claudeSettings(true).hooks).toEqual(claudeSettings(false).hooks);
  });

  test("gpt: --dangerously-bypass-approvals-and-sandbox only when on", () => {
    const off = builtinPlugins.gpt!().startup(ctx(false)).argv;
    expect(off).not.toContain("--dangerously-bypass-approvals-and-sandbox");
    expect(builtinPlugins.gpt!().startup(ctx(true)).argv).toEqual([
      ...off,
      "--dangerously-bypass-approvals-and-sandbox",
    ]);
  });

  test("no built-in plugin asks for a permission-skipping flag while it is off", () => {
    for (const [name, make] of Object.entries(builtinPlugins)) {
      expect({ name, flag: findPermissionSkip(make().startup(ctx(false)).argv) }).toEqual({
        name,
        flag: null,
      });
    }
  });

  test("the core guard lets claude's and gpt's flags through only for the types named", () => {
    for (const name of ["claude", "gpt"]) {
      const argv = builtinPlugins[name]!().startup(ctx(true)).argv;
      expect(permissionSkipRefusal(name, argv, [])).toContain(
        `allowed only with skipPermissions: ["${name}"]`,
      );
      expect(permissionSkipRefusal(name, argv, [name])).toBeNull();
    }
  });

  test("claude: ORCH_CLAUDE_PERMISSION_MODE=bypassPermissions is a skip flag the guard refuses unless named", () => {
    const saved = process.env.ORCH_CLAUDE_PERMISSION_MODE;
    process.env.ORCH_CLAUDE_PERMISSION_MODE = "bypassPermissions";
    try {
      for (const name of ["claude", "claude-batch"]) {
        const spec = builtinPlugins[name]!().startup(ctx(false));
        const words = [...spec.argv, ...(spec.runs ?? [])];
        expect(permissionSkipRefusal(name, words, [])).toContain(
          "asks for --permission-mode bypassPermissions",
        );
        expect(permissionSkipRefusal(name, words, [name])).toBeNull();
      }
    } finally {
      if (saved === undefined) delete process.env.ORCH_CLAUDE_PERMISSION_MODE;
      else process.env.ORCH_CLAUDE_PERMISSION_MODE = saved;
    }
  });

  test("batch plugins: the flags of the command typed per task are checked too (ORCH_*_BATCH_ARGS)", () => {
    const cases: Array<[string, string, string]> = [
      ["claude-batch", "ORCH_CLAUDE_BATCH_ARGS", "--dangerously-skip-permissions"],
      ["gpt-batch", "ORCH_CODEX_BATCH_ARGS", "--dangerously-bypass-approvals-and-sandbox"],
    ];
    for (const [name, variable, flag] of cases) {
      const plain = builtinPlugins[name]!().startup(ctx(false));
      expect(plain.runs?.length).toBe(2);
      expect(permissionSkipRefusal(name, [...plain.argv, ...(plain.runs ?? [])], [])).toBeNull();
      const saved = process.env[variable];
      process.env[variable] = `--model x ${flag}`;
      try {
        const spec = builtinPlugins[name]!().startup(ctx(false));
        const words = [...spec.argv, ...(spec.runs ?? [])];
        expect(permissionSkipRefusal(name, words, [])).toContain(`asks for ${flag}`);
        expect(permissionSkipRefusal(name, words, [name])).toBeNull();
      } finally {
        if (saved === undefined) delete process.env[variable];
        else process.env[variable] = saved;
      }
    }
  });
});
