/** What `startup()` returns is checked before it reaches tmux: every built-in passes, bad shapes are named. */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeStartupContext } from "../../../src/core/plugin/startup-context.ts";
import { startupSpecError } from "../../../src/core/plugin/validate.ts";
import { builtinPlugins } from "../../../src/plugins/index.ts";

const home = mkdtempSync(join(tmpdir(), "orch-spec-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("startupSpecError", () => {
  test("every built-in plugin's spec is accepted", () => {
    const ctx = makeStartupContext({
      workerName: "w1",
      project: "/src/app",
      dataDir: join(home, "w1"),
      home,
      orchHome: home,
    });
    for (const [name, make] of Object.entries(builtinPlugins)) {
      expect({ name, error: startupSpecError(make().startup(ctx)) }).toEqual({ name, error: null });
    }
  });

  test.each([
    [{ argv: [] }, "argv: argv must name a command"],
    [{ argv: ["a", 1] }, "argv.1:"],
    [{ argv: ["a"], runs: "claude -p --yolo" }, "runs:"],
    [{ argv: ["a"], env: { A: 1 } }, "env.A:"],
    [{ argv: ["a"], ready: "\\$ $" }, "ready: must be a regular expression"],
    [{ argv: ["a"], files: [{ path: "", content: "" }] }, "files.0.path:"],
    [null, "(spec):"],
  ])("%p is refused naming the field", (spec, error) => {
    expect(startupSpecError(spec)).toContain(error);
  });
});
