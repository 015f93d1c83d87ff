/**
 * `orch plugin test` through the compiled binary: a plugin author runs the contract suite on
 * a plugin file with the binary alone (no controller, no tmux, no agent), with a script of what
 * the agent shows next to it or named with --script.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { OrchHarness } from "../helpers/orch-harness.ts";

const EXAMPLES = resolve(import.meta.dir, "..", "..", "examples", "plugins");
const h = new OrchHarness("dist");
afterAll(() => h.cleanup());

interface Report {
  plugin: string;
  ok: boolean;
  script: string | null;
  checks: Array<{ name: string; ok: boolean; error?: string }>;
}

describe("orch plugin test", () => {
  test("the example plugins keep the contract, with the scripts next to them", async () => {
    // bash-lite (a declarative marker plugin) has its markers' nonce checked too
    for (const [file, last] of [
      ["dash-agent.ts", "plugin dash keeps the contract (9 checks)"],
      ["bash-lite.json", "plugin bash-lite keeps the contract (10 checks)"],
    ]) {
      const r = await h.run(["plugin", "test", join(EXAMPLES, file!)]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain("FAIL");
      expect(r.stdout.trim().split("\n").at(-1)).toBe(last!);
    }
    const json = JSON.parse(
      await h.ok(["plugin", "test", join(EXAMPLES, "dash-agent.ts"), "--json"]),
    ) as Report;
    expect(json).toMatchObject({
      plugin: "dash",
      ok: true,
      script: join(EXAMPLES, "dash-agent.script.json"),
    });
    expect(json.checks.map((c) => c.name)).toContain(
      "a task past its timeout is timed out and the agent interrupted",
    );
  }, 30_000);

  test("a plugin that breaks the contract: exit 1, the failed check named with what differed", async () => {
    const src = join(h.root, "nosafe.ts");
    writeFileSync(
      src,
      readFileSync(join(EXAMPLES, "dash-agent.ts"), "utf8").replace("pasteSafe(task.text)", "task.text"),
    );
    copyFileSync(join(EXAMPLES, "dash-agent.script.json"), join(h.root, "nosafe.script.json"));
    const r = await h.run(["plugin", "test", src]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "FAIL text that could end a bracketed paste is refused, nothing typed: the text was pasted: frame() must refuse ESC [201~",
    );
    expect(r.stdout.trim().split("\n").at(-1)).toBe("plugin dash fails 1 of 9 checks");
  }, 30_000);

  test("a TUI plugin is played its screens from --script: prompts, rate limits and all", async () => {
    const plugin = join(h.root, "tui.json");
    writeFileSync(
      plugin,
      JSON.stringify({
        name: "mytui",
        description: "a pretend TUI",
        version: "0.1.0",
        command: ["mytui"],
        detect: "screen",
        screen: { busy: "esc to interrupt", idle: "^> $", waiting_input: "Allow\\?", rate_limited: "429" },
        approval: { approveKeys: ["y"], denyKeys: ["n"] },
        interruptKeys: ["Escape"],
      }),
    );
    const script = join(h.root, "screens.json");
    writeFileSync(
      script,
      JSON.stringify({
        screens: {
          idle: "welcome\n> ",
          busy: "thinking (esc to interrupt)",
          done: "hello\n> ",
          permission: "Allow? rm x",
          rateLimited: "error 429\n> ",
        },
        expectOutput: "hello\n> ",
      }),
    );
    const r = await h.run(["plugin", "test", plugin, "--script", script]);
    expect(r.stdout.trim().split("\n").at(-1)).toBe("plugin mytui keeps the contract (11 checks)");
    expect(r.code).toBe(0);
  }, 30_000);

  test("without a script a marker plugin is told what to give; a bad script or flag is a usage error", async () => {
    const bare = join(h.root, "bare.json");
    copyFileSync(join(EXAMPLES, "bash-lite.json"), bare);
    const r = await h.run(["plugin", "test", bare]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("(no script: pass --script FILE, or put one at <plugin>.script.json)");
    expect(r.stdout).toContain("the script has no prompt (what the agent prints when it waits for input)");
    const badScript = join(h.root, "bad.script.json");
    writeFileSync(badScript, JSON.stringify({ prompt: 7 }));
    const bad = await h.run(["plugin", "test", bare, "--script", badScript]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toStartWith(`orch: contract script ${badScript} is invalid: prompt: `);
    const misplaced = await h.run(["plugin", "list", "--script", badScript]);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toBe("orch: --script goes with plugin test, not plugin list\n");
    const missing = await h.run(["plugin", "test", join(h.root, "nope.ts")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("does not exist");
  }, 30_000);
});
