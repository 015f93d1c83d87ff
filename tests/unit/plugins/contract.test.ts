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
    // each seeded file has its content, or a merge that gives it from what is there (or leaves it)
    for (const f of spec.files ?? []) {
      const content = f.merge ? f.merge(null) : f.content;
      expect(content === null || typeof content === "string").toBe(true);
      if (!f.merge) expect(typeof f.content).toBe("string");
    }
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

const CLAUDE_EXPECTED: Record<string, ScreenState | null> = {
  // 2.1.332's first paint shows the empty box before its footer says "? for shortcuts"
  startup: "idle",
  idle: "idle",
  // the idle screen in another permission mode: the footer names the mode instead
  idle_auto: "idle",
  busy: "busy",
  done: "idle",
  permission: "waiting_input",
  // while Claude Code retries a 429 by itself it is busy; once it gives up it is rate limited
  rate_limited: "busy",
  rate_limited_final: "rate_limited",
};
const CODEX_EXPECTED: Record<string, ScreenState | null> = {
  startup: "idle",
  idle: "idle",
  busy: "busy",
  done: "idle",
  approval: "waiting_input",
  rate_limited: "rate_limited",
};
/**
 * Each plugin against the screens of every version recorded: `<dir>/` holds the pinned version
 * (tests/helpers/agent-cli.ts AGENT_PINS), `<dir>-<version>/` the ones before it.
 */
const RECORDED: Array<[plugin: string, dir: string, expected: Record<string, ScreenState | null>]> = [
  ["claude", "claude", CLAUDE_EXPECTED],
  ["claude", "claude-2.1.197", CLAUDE_EXPECTED],
  ["gpt", "codex", CODEX_EXPECTED],
  ["gpt", "codex-0.169.0", CODEX_EXPECTED],
];

describe.each(RECORDED)("recorded screens: %s on %s/", (name, dir, expected) => {
  const plugin = builtinPlugins[name]!();
  test.each(Object.entries(expected))("%s.txt shows %s", (file, want) => {
    expect(classifyScreen(screen(dir, file), plugin.detect.screen!)).toBe(want);
  });
});

test("claude: the spinner line alone is busy (2.1.332 shows it a moment before its footer says esc to interrupt)", () => {
  const busy = screen("claude", "busy");
  const early = busy.replace(" · esc to interrupt", "");
  expect(early).not.toContain("esc to interrupt");
  expect(classifyScreen(early, builtinPlugins.claude!().detect.screen!)).toBe("busy");
});

describe("the claude screen rules from before the 2.1.332 fix", () => {
  // what made 2.1.332 fail to start: its first screens and its auto-mode idle screen have no
  // "? for shortcuts"; the rules now see the prompt box itself
  const old = { busy: /esc to interrupt/i, idle: /\? for shortcuts/ };
  test.each(["claude/startup", "claude/idle_auto", "claude-2.1.197/idle_auto"])(
    "%s.txt: not idle by the old footer rule, idle by the current one",
    (f) => {
      const [dir, file] = f.split("/") as [string, string];
      expect(classifyScreen(screen(dir, file), old)).toBe(null);
      expect(classifyScreen(screen(dir, file), builtinPlugins.claude!().detect.screen!)).toBe("idle");
    },
  );
});

describe("recorded hook payloads", () => {
  const claude = builtinPlugins.claude!();
  const gpt = builtinPlugins.gpt!();
  const signal = (p: AgentPlugin, e: HookEvent) => (p.detect.kind === "hook" ? p.detect.hook(e) : "no hooks");

  test("claude: SessionStart says it is ready, UserPromptSubmit proves delivery, Stop ends the turn, a permission notification asks", () => {
    expect(signal(claude, hook("claude-session-start", "SessionStart"))).toBe("ready");
    expect(signal(claude, hook("claude-user-prompt-submit", "UserPromptSubmit"))).toBe("accepted");
    expect(signal(claude, hook("claude-stop", "Stop"))).toBe("done");
    expect(signal(claude, hook("claude-notification", "Notification"))).toBe("waiting_input");
  });

  test("claude: orch installs the SessionStart hook (with the others) through --settings", () => {
    const spec = claude.startup(
      makeStartupContext({
        workerName: "w1",
        project: "/tmp/p",
        dataDir: "/tmp/d/w1",
        home: "/tmp/no-such-home",
      }),
    );
    const settings = JSON.parse(spec.files!.find((f) => f.path === "claude-settings.json")!.content!) as {
      hooks: Record<string, unknown>;
    };
    expect(Object.keys(settings.hooks).sort()).toEqual([
      "Notification",
      "SessionStart",
      "Stop",
      "UserPromptSubmit",
    ]);
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
