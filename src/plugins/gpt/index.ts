import {
  type AgentPlugin,
  definePlugin,
  type HookEvent,
  type HookSignal,
  pasteSafe,
  type ResultInput,
  type StartupContext,
  type TaskResult,
} from "../../core/plugin/sdk.ts";
import { stopAppServers } from "./cleanup.ts";
import { codexSeedFiles, tomlString } from "./config.ts";
import { CODEX_SCREEN, codexRateLimitWaitMs } from "./screen.ts";

/** The `codex` executable: `ORCH_CODEX_COMMAND` or `codex` on PATH. */
export function codexCommand(): string {
  return process.env.ORCH_CODEX_COMMAND || "codex";
}

/** `-c` overrides: the notify hook calls orch; no update check. The user's config.toml is not touched. */
export function codexOverrides(ctx: StartupContext): string[] {
  const notify = `notify=[${ctx.hook.argv("notify").map(tomlString).join(",")}]`;
  return ["-c", notify, "-c", "check_for_update_on_startup=false"];
}

/**
 * Codex's notify hook fires once per finished turn (`agent-turn-complete`), also for the
 * side thread that writes the session's title: that one is not the task's turn.
 */
export function codexHookSignal(e: HookEvent): HookSignal {
  const p = e.payload as { type?: string; "input-messages"?: unknown } | null;
  if (e.event !== "notify" || p?.type !== "agent-turn-complete") return null;
  const first = Array.isArray(p["input-messages"]) ? p["input-messages"][0] : undefined;
  if (typeof first === "string" && /^Generate a concise, single-line task title/.test(first)) return null;
  return "done";
}

/** The answer: the notify payload's `last-assistant-message`, else the last `•` block on screen. */
export function codexResult(input: ResultInput): TaskResult {
  const p = (input.hook?.payload ?? null) as {
    "last-assistant-message"?: string;
    "thread-id"?: string;
  } | null;
  const text =
    typeof p?.["last-assistant-message"] === "string" ? p["last-assistant-message"] : screenAnswer(input.raw);
  return { text, ...(p?.["thread-id"] ? { sessionId: p["thread-id"] } : {}) };
}

/** The last `• ` reply on a Codex screen with its indented continuation lines. */
export function screenAnswer(screen: string): string {
  const lines = screen.split("\n");
  const i = lines.findLastIndex((l) => l.startsWith("• ") && !/^• (Running|Ran|Working) /.test(l));
  if (i < 0) return "";
  const out = [lines[i]!.slice(2)];
  for (const l of lines.slice(i + 1)) {
    if (!l.startsWith("  ") || !l.trim() || /^ {2}Worked for /.test(l)) break;
    out.push(l.trim());
  }
  return out.join("\n").trim();
}

/**
 * `gpt`: OpenAI's Codex CLI with its TUI up in the pane; every task is a prompt. Pasted, then
 * Enter after 300 ms (a burst of text counts as a paste for ~120 ms). Its notify hook says
 * when the turn ended; the screen shows approvals and rate limits. Killing the worker stops
 * the app-server Codex leaves running.
 */
export const gptPlugin = definePlugin(
  (): AgentPlugin => ({
    name: "gpt",
    description:
      "OpenAI Codex CLI, interactive: the TUI stays up, each task is a prompt; completion from its notify hook",
    version: "1.0.0",
    startup: (ctx) => ({
      argv: [
        codexCommand(),
        ...codexOverrides(ctx),
        // only when the config names gpt in skipPermissions (orch refuses it otherwise)
        ...(ctx.skipPermissions ? ["--dangerously-bypass-approvals-and-sandbox"] : []),
      ],
      env: { ORCH_WORKER: ctx.workerName },
      files: codexSeedFiles(ctx.home, ctx.project),
    }),
    frame: (task) => ({ text: pasteSafe(task.text), submit: ["Enter"], submitDelayMs: 300 }),
    detect: { kind: "hook", hook: codexHookSignal, screen: CODEX_SCREEN },
    result: codexResult,
    approval: { approveKeys: ["Enter"], denyKeys: ["Escape"] },
    rateLimitWaitMs: codexRateLimitWaitMs,
    acceptMs: 4000,
    interruptKeys: ["Escape"],
    cleanup: (ctx) => {
      stopAppServers(ctx.orchHome, ctx.workerName);
    },
  }),
);
