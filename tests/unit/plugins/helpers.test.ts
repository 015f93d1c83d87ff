/** The pure parts of the plugins: config merging, parsers of agents' output, the paste guard, declarative specs. */
import { describe, expect, test } from "bun:test";
import { declarativePlugin, parseDeclarative } from "../../../src/core/plugin/declarative.ts";
import { pasteSafe } from "../../../src/core/plugin/paste-guard.ts";
import { betweenPrompts, classifyScreen } from "../../../src/core/plugin/screen-rules.ts";
import { makeStartupContext } from "../../../src/core/plugin/startup-context.ts";
import { claudeBatchResult } from "../../../src/plugins/claude/batch.ts";
import { rateLimitWaitMs, screenAnswer } from "../../../src/plugins/claude/screen.ts";
import { mergeClaudeJson } from "../../../src/plugins/claude/seed-config.ts";
import { lastTurn } from "../../../src/plugins/claude/transcript.ts";
import { codexBatchResult } from "../../../src/plugins/gpt/batch.ts";
import { trustProject } from "../../../src/plugins/gpt/config.ts";
import { codexRateLimitWaitMs } from "../../../src/plugins/gpt/screen.ts";
import { promptStdin } from "../../../src/plugins/shell/batch.ts";

describe("pasteSafe", () => {
  test("keeps text, TAB and LF; makes CRLF LF", () => {
    expect(pasteSafe("a\tb\r\nc\rd 日本 🚀")).toBe("a\tb\nc\nd 日本 🚀");
  });
  test("refuses ESC (an end-of-paste marker) and other controls, naming them and where", () => {
    expect(() => pasteSafe("ok\x1b[201~rm")).toThrow(
      "task text contains control character U+001B at offset 2",
    );
    expect(() => pasteSafe("a\x7f")).toThrow("U+007F at offset 1");
    expect(() => pasteSafe("a\u009b")).toThrow("U+009B at offset 1");
    expect(() => pasteSafe("\0")).toThrow("NUL byte at offset 0");
  });
});

describe("screens", () => {
  test("betweenPrompts is the latest turn: an old error above it is not in it", () => {
    const s = "❯ first\n● API Error: Request rejected (429)\n❯ second\n● fine now\n─────\n❯ \n─────";
    expect(betweenPrompts(s, "❯")).toBe("● fine now\n─────");
    expect(betweenPrompts("no prompt here", "❯")).toBe("no prompt here");
  });
  test("an old rate-limit error does not stick to the next turn", () => {
    const rules = {
      idle: /\? for shortcuts/,
      rate_limited: /429/,
      latestTurn: (x: string) => betweenPrompts(x, "❯"),
    };
    const after = "❯ first\n● API Error: 429\n❯ second\n● fine\n❯ \n? for shortcuts";
    expect(classifyScreen(after, rules)).toBe("idle");
    expect(classifyScreen("❯ first\n● API Error: 429\n❯ \n? for shortcuts", rules)).toBe("rate_limited");
  });
  test("rate-limit waits named on screen", () => {
    expect(rateLimitWaitMs("Retry in 30 seconds")).toBe(30_000);
    expect(rateLimitWaitMs("try again in 2 minutes")).toBe(120_000);
    expect(rateLimitWaitMs("rate limited")).toBe(null);
    expect(codexRateLimitWaitMs("Please try again in 1.5s.")).toBe(1500);
    expect(codexRateLimitWaitMs("Please try again in 20ms")).toBe(20);
  });
  test("claude's answer on screen: the last ● block with its continuation lines", () => {
    expect(screenAnswer("❯ hi\n● old\n❯ again\n● hello there\n  second line\n\n✻ Crunched for 2s")).toBe(
      "hello there\nsecond line",
    );
  });
});

describe("agent config is merged, never overwritten", () => {
  test("~/.claude.json: only what is missing is added", () => {
    const merged = mergeClaudeJson(
      {
        theme: "light",
        projects: { "/a": { allowedTools: ["Read"] } },
        customApiKeyResponses: { approved: [], rejected: [] },
      },
      "/src/app",
      "sk-ant-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxKEY",
    )!;
    expect(merged.theme).toBe("light");
    expect(merged.hasCompletedOnboarding).toBe(true);
    expect((merged.projects as Record<string, unknown>)["/a"]).toEqual({ allowedTools: ["Read"] });
    expect(
      (merged.projects as Record<string, { hasTrustDialogAccepted: boolean }>)["/src/app"]
        ?.hasTrustDialogAccepted,
    ).toBe(true);
    expect((merged.customApiKeyResponses as { approved: string[] }).approved).toEqual([
      "xxxxxxxxxxxxxxxxxKEY",
    ]);
  });
  test("a key the user rejected stays rejected; nothing to change gives null", () => {
    const tail = "xxxxxxxxxxxxxxxxxKEY";
    const done = {
      hasCompletedOnboarding: false,
      theme: "dark",
      customApiKeyResponses: { approved: [], rejected: [tail] },
      projects: { "/p": { hasTrustDialogAccepted: false } },
    };
    expect(mergeClaudeJson(done, "/p", `sk-ant-${tail}`)).toBe(null);
  });
  test("config.toml: the project's trust is appended once", () => {
    const once = trustProject('model = "gpt-5"\n', "/src/my app")!;
    expect(once).toBe('model = "gpt-5"\n\n[projects."/src/my app"]\ntrust_level = "trusted"\n');
    expect(trustProject(once, "/src/my app")).toBe(null);
    expect(trustProject("", "/p")).toBe('[projects."/p"]\ntrust_level = "trusted"\n');
  });
});

describe("batch results", () => {
  test("claude -p JSON", () => {
    const raw =
      'noise\n{"type":"result","subtype":"success","is_error":false,"result":"hi","session_id":"s1","total_cost_usd":0.5,"usage":{"input_tokens":10,"output_tokens":2}}\n';
    expect(claudeBatchResult({ raw, exitCode: 0 })).toEqual({
      text: "hi",
      isError: false,
      exitReason: "success",
      sessionId: "s1",
      costUsd: 0.5,
      tokens: { input: 10, output: 2 },
    });
    expect(claudeBatchResult({ raw: "claude: command not found\n", exitCode: 127 })).toEqual({
      text: "claude: command not found\n",
      isError: true,
    });
  });
  test("codex exec --json events", () => {
    const raw = [
      '{"type":"thread.started","thread_id":"t1"}',
      '{"type":"item.completed","item":{"type":"agent_message","text":"first"}}',
      '{"type":"item.completed","item":{"type":"agent_message","text":"last"}}',
      '{"type":"turn.completed","usage":{"input_tokens":5,"output_tokens":3}}',
    ].join("\n");
    expect(codexBatchResult({ raw, exitCode: 0 })).toEqual({
      text: "last",
      isError: false,
      exitReason: "turn.completed",
      sessionId: "t1",
      tokens: { input: 5, output: 3 },
    });
    expect(
      codexBatchResult({ raw: '{"type":"turn.failed","error":{"message":"429"}}', exitCode: 1 }).isError,
    ).toBe(true);
  });
  test("the prompt goes to the command's stdin through a quoted here-document, byte for byte", () => {
    for (const text of [
      'it\'s $HOME `x` \\ "q"\nline 2',
      "ends in newlines\n\n",
      "",
      "\n  lead",
      "a ) b ( $(x) `\nprintf .\n.\n",
    ]) {
      const cmd = promptStdin("cat", text, "ab-12");
      const out = Bun.spawnSync(["bash", "-c", cmd]).stdout.toString();
      expect(out).toBe(text);
    }
  });
});

describe("Claude Code transcripts", () => {
  test("the text after the last prompt, tool results not counted as prompts", () => {
    const jsonl = [
      { type: "user", message: { role: "user", content: "old" } },
      { type: "assistant", message: { role: "assistant", content: [{ type: "text", text: "old answer" }] } },
      { type: "user", message: { role: "user", content: [{ type: "text", text: "new" }] } },
      {
        type: "assistant",
        sessionId: "s",
        message: {
          role: "assistant",
          content: [{ type: "tool_use" }],
          usage: { input_tokens: 3, output_tokens: 1 },
        },
      },
      { type: "user", message: { role: "user", content: [{ type: "tool_result", content: "x" }] } },
      {
        type: "assistant",
        message: {
          role: "assistant",
          content: [{ type: "text", text: "new answer" }],
          stop_reason: "end_turn",
          usage: { input_tokens: 4, output_tokens: 2 },
        },
      },
    ]
      .map((r) => JSON.stringify(r))
      .join("\n");
    expect(lastTurn(`${jsonl}\n{"half`)).toEqual({
      text: "new answer",
      sessionId: "s",
      stopReason: "end_turn",
      tokens: { input: 7, output: 3 },
    });
  });
});

describe("declarative plugins", () => {
  const base = {
    name: "rep",
    description: "d",
    version: "1",
    command: ["sh"],
    ready: "\\$ $",
    detect: "marker",
  };
  test("a valid spec becomes a plugin whose marker framing runs in a shell", () => {
    const r = parseDeclarative(base, "t.json");
    if (!r.ok) throw new Error(r.error);
    const p = declarativePlugin(r.value);
    const m = { startPrefix: "S-", endPrefix: "E-", suffix: "-X" };
    const d = p.frame({ id: "id1", text: "echo hi" }, m);
    expect(d.text).not.toContain("E-id1");
    expect(Bun.spawnSync(["sh", "-c", d.text]).stdout.toString()).toBe("S-id1-X\nhi\nE-id1-0-X\n");
    const ctx = makeStartupContext({ workerName: "w", project: "/p", dataDir: "/d" });
    expect(p.startup(ctx).ready?.test("$ ")).toBe(true);
  });
  test("errors name the field and what was expected", () => {
    const bad = parseDeclarative({ ...base, ready: "([", template: "no placeholder" }, "t.json");
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error).toContain("ready: must be a valid regular expression");
      expect(bad.error).toContain('template: must contain "{text}"');
    }
    const noReady = parseDeclarative({ ...base, ready: undefined }, "t.json");
    expect(noReady.ok ? "" : noReady.error).toContain('give "ready" or screen.idle');
    const screen = parseDeclarative({ ...base, detect: "screen", screen: { busy: "b" } }, "t.json");
    expect(screen.ok ? "" : screen.error).toContain("needs screen.busy and screen.idle");
    const probe = parseDeclarative({ ...base, probe: { text: "", expect: "(" } }, "t.json");
    expect(probe.ok ? "" : probe.error).toContain("probe.expect: must be a valid regular expression");
  });
  test("a marker plugin takes per-task markers; clearKeys go before each task and the probe", () => {
    const r = parseDeclarative(
      { ...base, clearKeys: ["C-e", "C-u"], probe: { text: "x", expect: "y" } },
      "t.json",
    );
    if (!r.ok) throw new Error(r.error);
    const p = declarativePlugin(r.value);
    expect(p.detect).toEqual({ kind: "marker", nonce: true });
    const d = p.frame({ id: "id1", text: "echo hi" }, { startPrefix: "S-", endPrefix: "E-", suffix: "-X" });
    expect(d.clearKeys).toEqual(["C-e", "C-u"]);
    expect(p.probe?.clearKeys).toEqual(["C-e", "C-u"]);
    const without = parseDeclarative(base, "t.json");
    if (!without.ok) throw new Error(without.error);
    expect(
      declarativePlugin(without.value).frame(
        { id: "id1", text: "x" },
        { startPrefix: "S-", endPrefix: "E-", suffix: "-X" },
      ).clearKeys,
    ).toBeUndefined();
  });
  test("a probe becomes the plugin's health probe, its pattern a RegExp", () => {
    const r = parseDeclarative(
      { ...base, probe: { text: "echo $((1+1))ok", expect: "^2ok", timeoutMs: 800 } },
      "t.json",
    );
    if (!r.ok) throw new Error(r.error);
    const probe = declarativePlugin(r.value).probe!;
    expect(probe.text).toBe("echo $((1+1))ok");
    expect(probe.timeoutMs).toBe(800);
    expect(probe.expect.test("$ echo $((1+1))ok\n2ok\n")).toBe(true);
    expect(probe.expect.test("$ echo $((1+1))ok\n")).toBe(false);
  });
});
