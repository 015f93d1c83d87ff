/**
 * The plugin contract suite: every plugin, built in or external, against the same checks;
 * then each agent's recorded screens and hook payloads (tests/fixtures) against its rules.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { AgentPlugin, HookEvent, ScreenState } from "../../../src/core/plugin/contract.ts";
import { loadPlugin } from "../../../src/core/plugin/external.ts";
import { classifyScreen } from "../../../src/core/plugin/screen-rules.ts";
import { makeStartupContext } from "../../../src/core/plugin/startup-context.ts";
import { validatePlugin } from "../../../src/core/plugin/validate.ts";
import { builtinPlugins } from "../../../src/plugins/index.ts";

const ROOT = resolve(import.meta.dir, "..", "..", "..");
const FIX = join(ROOT, "tests", "fixtures");
const MARKERS = { startPrefix: "---START-OF-OUTPUT-", endPrefix: "---END-OF-OUTPUT-", suffix: "---" };
const screen = (agent: string, name: string) =>
  readFileSync(join(FIX, "screens", agent, `${name}.txt`), "utf8");
const hook = (name: string, event: string): HookEvent => ({
  event,
  payload: JSON.parse(readFileSync(join(FIX, "hooks", `${name}.json`), "utf8")),
});

const external = await Promise.all(
  ["dash-agent.ts", "bash-lite.json"].map(async (f) => {
    const r = await loadPlugin(join(ROOT, "examples", "plugins", f));
    if (!r.ok) throw new Error(r.error);
    return r.value.plugin;
  }),
);
const ALL: AgentPlugin[] = [...Object.values(builtinPlugins).map((f) => f()), ...external];

describe.each(ALL.map((p) => [p.name, p] as const))("contract: %s", (_name, p) => {
  const ctx = makeStartupContext({
    workerName: "w1",
    project: "/tmp/project",
    dataDir: "/tmp/data/w1",
    home: "/tmp/no-such-home",
  });
  const task = { id: "0b6f3a52-2d2c-4f3e-9d1b-2d7e3d0e6f11", text: "do the thing" };

  test("validates", () => {
    expect(validatePlugin(p, "test").ok).toBe(true);
  });

  test("startup gives a command and a way to tell the agent is ready", () => {
    const spec = p.startup(ctx);
    expect(spec.argv.length).toBeGreaterThan(0);
    expect(spec.ready !== undefined || p.detect.screen?.idle !== undefined).toBe(true);
    for (const f of spec.files ?? []) expect(typeof f.content).toBe("string");
  });

  test("frames a task: the text reaches the agent, and a marker never appears verbatim", () => {
    const d = p.frame(task, MARKERS);
    expect(d.text).toContain("do the thing");
    expect(d.text).not.toContain(`${MARKERS.endPrefix}${task.id}`);
    expect(d.text).not.toContain(`${MARKERS.startPrefix}${task.id}`);
    expect(d.submit.length + (d.text.endsWith("\n") ? 1 : 0)).toBeGreaterThan(0);
  });

  test("refuses text that could end a paste", () => {
    expect(() => p.frame({ ...task, text: "a\x1b[201~b" }, MARKERS)).toThrow();
  });

  test("result() turns raw output into text without throwing", () => {
    const r = p.result?.({ raw: "plain output\n", exitCode: 0 }) ?? { text: "plain output\n" };
    expect(typeof r.text).toBe("string");
  });

  test("an idle screen of another agent is never taken for a question", () => {
    if (!p.detect.screen) return;
    const other = p.name.startsWith("claude") ? screen("codex", "idle") : screen("claude", "idle");
    expect(classifyScreen(other, p.detect.screen)).not.toBe("waiting_input");
  });
});

const EXPECTED: Record<string, Record<string, ScreenState | null>> = {
  claude: {
    startup: "idle",
    idle: "idle",
    busy: "busy",
    done: "idle",
    permission: "waiting_input",
    // while Claude Code retries a 429 by itself it is busy; once it gives up it is rate limited
    rate_limited: "busy",
    rate_limited_final: "rate_limited",
  },
  gpt: {
    idle: "idle",
    busy: "busy",
    done: "idle",
    approval: "waiting_input",
    rate_limited: "rate_limited",
  },
};
const FIXTURE_DIR: Record<string, string> = { claude: "claude", gpt: "codex" };

describe.each(Object.keys(EXPECTED))("recorded screens: %s", (name) => {
  const plugin = builtinPlugins[name]!();
  test.each(Object.entries(EXPECTED[name]!))("%s.txt shows %s", (file, want) => {
    expect(classifyScreen(screen(FIXTURE_DIR[name]!, file), plugin.detect.screen!)).toBe(want);
  });
});

describe("recorded hook payloads", () => {
  const claude = builtinPlugins.claude!();
  const gpt = builtinPlugins.gpt!();
  const signal = (p: AgentPlugin, e: HookEvent) => (p.detect.kind === "hook" ? p.detect.hook(e) : "no hooks");

  test("claude: UserPromptSubmit proves delivery, Stop ends the turn, a permission notification asks", () => {
    expect(signal(claude, hook("claude-user-prompt-submit", "UserPromptSubmit"))).toBe("accepted");
    expect(signal(claude, hook("claude-stop", "Stop"))).toBe("done");
    expect(signal(claude, hook("claude-notification", "Notification"))).toBe("waiting_input");
    expect(signal(claude, hook("claude-session-start", "SessionStart"))).toBe(null);
  });

  test("claude: the answer is the Stop hook's last_assistant_message", () => {
    const r = claude.result!({ raw: "", exitCode: null, hook: hook("claude-stop", "Stop") });
    expect(r.text).toBe("slow reply done");
    expect(r.sessionId).toBe(
      hook("claude-stop", "Stop").payload
        ? (hook("claude-stop", "Stop").payload as { session_id: string }).session_id
        : "",
    );
  });

  test("gpt: notify ends the turn, but not the one of the title thread", () => {
    expect(signal(gpt, hook("codex-notify", "notify"))).toBe("done");
    expect(signal(gpt, hook("codex-notify-title", "notify"))).toBe(null);
    const r = gpt.result!({ raw: "", exitCode: null, hook: hook("codex-notify", "notify") });
    expect(r.text).toBe("slow reply done");
  });

  test("without a hook, the answer is read off the screen", () => {
    expect(claude.result!({ raw: screen("claude", "done"), exitCode: null }).text.length).toBeGreaterThan(0);
    expect(gpt.result!({ raw: screen("codex", "done"), exitCode: null }).text.length).toBeGreaterThan(0);
  });
});
