/**
 * The contract suite itself: it passes a plugin that keeps the contract, and each way of
 * breaking the contract makes the check about it fail, saying what differed.
 */
import { describe, expect, test } from "bun:test";
import {
  type ContractReport,
  type ContractScript,
  formatReport,
  parseContractScript,
  testPlugin,
} from "../../../src/core/app/plugin-contract/index.ts";
import type { AgentPlugin, PluginFactory } from "../../../src/core/plugin/contract.ts";
import { claudePlugin } from "../../../src/plugins/claude/index.ts";
import { shellPlugin } from "../../../src/plugins/shell/index.ts";
import { PLUGIN_SCRIPTS } from "../../helpers/plugin-scripts.ts";

const SHELL = PLUGIN_SCRIPTS.shell!;
const CLAUDE = PLUGIN_SCRIPTS.claude!;

/** The shell plugin with some members replaced. */
const shellWith =
  (over: Partial<AgentPlugin>): PluginFactory =>
  () => ({ ...shellPlugin(), ...over });

const claudeWith =
  (over: (p: AgentPlugin) => Partial<AgentPlugin>): PluginFactory =>
  () => {
    const p = claudePlugin();
    return { ...p, ...over(p) };
  };

const failed = (r: ContractReport) =>
  Object.fromEntries(r.checks.filter((c) => !c.ok).map((c) => [c.name, c.error]));

describe("the contract suite", () => {
  test("a plugin that keeps the contract passes every check, and the report says so", async () => {
    const r = await testPlugin(shellPlugin, SHELL, "built-in shell");
    expect(failed(r)).toEqual({});
    expect(r).toMatchObject({ plugin: "shell", ok: true });
    expect(r.checks.map((c) => c.name)).toContain(
      "a command that exits non-zero fails the task with its status",
    );
    expect(formatReport(r).split("\n").at(-1)).toBe(
      `plugin shell keeps the contract (${r.checks.length} checks)`,
    );
  }, 20_000);

  test("a plugin that does not validate fails the first check and is run no further", async () => {
    const r = await testPlugin(() => ({ ...shellPlugin(), name: "Bad Name" }), SHELL, "bad.ts");
    expect(r.ok).toBe(false);
    expect(r.plugin).toBe("bad.ts");
    expect(r.checks).toHaveLength(1);
    expect(r.checks[0]!.error).toMatch(/^plugin from bad.ts is invalid: name: name must be lowercase/);
  }, 20_000);

  test("a ready pattern that does not match the agent's prompt: that check fails, the rest are not run", async () => {
    const r = await testPlugin(
      shellWith({ startup: (ctx) => ({ ...shellPlugin().startup(ctx), ready: /bash-5.2\$ $/ }) }),
      SHELL,
    );
    const errors = failed(r);
    expect(errors["the script's prompt, screens and hooks read as the plugin's states"]).toBe(
      'startup().ready /bash-5.2\\$ $/ does not match the prompt "\\u001b[?2004h$ "',
    );
    expect(errors["runs a task: typed as framed, the output as expected, the worker idle after"]).toBe(
      `not run: "the script's prompt, screens and hooks read as the plugin's states" failed`,
    );
    expect(formatReport(r)).toContain(
      `plugin shell fails ${r.checks.length - 2} of ${r.checks.length} checks`,
    );
  }, 20_000);

  test("a permission-skipping flag in startup() fails the startup check", async () => {
    const r = await testPlugin(
      shellWith({
        startup: (ctx) => ({
          ...shellPlugin().startup(ctx),
          runs: ["claude --dangerously-skip-permissions"],
        }),
      }),
      SHELL,
    );
    expect(failed(r)["startup() gives a command, a ready sign and no permission-skipping flag"]).toMatch(
      /^with skipPermissions off: .*--dangerously-skip-permissions/,
    );
  }, 20_000);

  test("a frame that carries the start marker verbatim: its echo is taken for the output", async () => {
    const r = await testPlugin(
      shellWith({
        frame: (task, m) => ({
          text: `echo ${m.startPrefix}${task.id}${m.suffix}; ${task.text}; echo ${m.endPrefix}${task.id}-$?${m.suffix}`,
          submit: ["Enter"],
        }),
      }),
      SHELL,
    );
    expect(failed(r)["runs a task: typed as framed, the output as expected, the worker idle after"]).toMatch(
      /^its output is ".*"; expected "hello\\n"$/,
    );
  }, 20_000);

  test("a frame without pasteSafe() lets text end the bracketed paste", async () => {
    const r = await testPlugin(
      shellWith({ frame: (task) => ({ text: task.text, submit: ["Enter"] }) }),
      SHELL,
    );
    expect(failed(r)["text that could end a bracketed paste is refused, nothing typed"]).toBe(
      "the text was pasted: frame() must refuse ESC [201~ (the end of a bracketed paste), e.g. with pasteSafe()",
    );
  }, 20_000);

  test("a result() that throws fails the task check, naming the member", async () => {
    const r = await testPlugin(
      shellWith({
        result: () => {
          throw new Error("bad json");
        },
      }),
      SHELL,
    );
    expect(failed(r)["runs a task: typed as framed, the output as expected, the worker idle after"]).toBe(
      "the task ended failed (plugin shell failed in result(): bad json; the raw output is kept); expected succeeded",
    );
  }, 20_000);

  test("screen rules that miss the recorded busy screen fail the script check", async () => {
    // the busy screen still shows the empty prompt box, so a busy rule that misses it reads it as idle
    const r = await testPlugin(
      claudeWith((p) => ({
        detect: { ...p.detect, screen: { ...p.detect.screen!, busy: /Thinking/ } } as AgentPlugin["detect"],
      })),
      CLAUDE,
    );
    expect(failed(r)["the script's prompt, screens and hooks read as the plugin's states"]).toBe(
      'screens.busy reads as "idle"; expected "busy"',
    );
  }, 20_000);

  test("a hook rule that takes every event for the end of the turn fails the hook check", async () => {
    const r = await testPlugin(
      claudeWith((p) => ({ detect: { ...p.detect, hook: () => "done" } as AgentPlugin["detect"] })),
      CLAUDE,
    );
    expect(failed(r)["the script's prompt, screens and hooks read as the plugin's states"]).toBe(
      'hooks.accepted means "done" to detect.hook; expected "accepted"',
    );
  }, 20_000);

  test("a TUI plugin that reads its answer from the wrong place fails the task check", async () => {
    const r = await testPlugin(
      claudeWith(() => ({ result: ({ raw }) => ({ text: raw.slice(0, 10) }) })),
      CLAUDE,
    );
    expect(failed(r)["runs a task: typed as framed, the output as expected, the worker idle after"]).toMatch(
      /^its output is ".*"; expected "slow reply done"$/,
    );
  }, 20_000);

  test("a script without what a TUI plugin needs is refused, naming the missing part", async () => {
    const script: ContractScript = { ...CLAUDE, hooks: { accepted: CLAUDE.hooks!.accepted! } };
    const r = await testPlugin(claudePlugin, script);
    expect(failed(r)["the script's prompt, screens and hooks read as the plugin's states"]).toBe(
      "the script has no hooks.done (the event the agent's hook sends when a turn ends)",
    );
  }, 20_000);

  test("a script file is checked field by field", () => {
    expect(parseContractScript({ prompt: "$ ", screens: { idle: "> " } }, "s.json").ok).toBe(true);
    const bad = parseContractScript({ prompt: 1, screen: {} }, "s.json");
    expect(bad.ok || bad.error).toMatch(
      /^contract script s.json is invalid: prompt: .*; \(script\): .*screen/,
    );
  }, 20_000);
});
