import { join } from "node:path";
import {
  type AgentPlugin,
  definePlugin,
  type HookEvent,
  type HookSignal,
  pasteSafe,
  type ResultInput,
  type SeedFile,
  type StartupContext,
  type TaskResult,
} from "../../core/plugin/sdk.ts";
import { claudePermissionArgs } from "./permission-mode.ts";
import { CLAUDE_SCREEN, rateLimitWaitMs, screenAnswer } from "./screen.ts";
import { mergeClaudeJson, parseClaudeJson } from "./seed-config.ts";
import { readLastTurn } from "./transcript.ts";

/** The hooks orch installs (through `--settings`, so the user's own settings stay untouched). */
const HOOK_EVENTS = ["SessionStart", "UserPromptSubmit", "Stop", "Notification"] as const;

/** The `claude` executable: `ORCH_CLAUDE_COMMAND` or `claude` on PATH. */
export function claudeCommand(): string {
  return process.env.ORCH_CLAUDE_COMMAND || "claude";
}

/**
 * Files that let Claude Code start without dialogs, merged into what the user has in the
 * agent's home (on the agent's machine: orch reads it there).
 */
export function claudeSeedFiles(ctx: StartupContext): SeedFile[] {
  const path = join(ctx.home, ".claude.json");
  return [
    {
      path,
      merge: (old) => {
        const merged = mergeClaudeJson(
          parseClaudeJson(old, path),
          ctx.project,
          process.env.ANTHROPIC_API_KEY,
        );
        return merged ? `${JSON.stringify(merged, null, 2)}\n` : null;
      },
    },
  ];
}

/**
 * The settings orch hands Claude Code with `--settings`: its hooks and, when the user turned
 * permission skipping on for claude, the answer to the one-time "Bypass Permissions mode"
 * question (Claude Code reads `skipDangerousModePermissionPrompt` from these flag settings
 * too, so the user's own ~/.claude/settings.json stays untouched).
 */
function hookSettings(ctx: StartupContext): string {
  const hooks = Object.fromEntries(
    HOOK_EVENTS.map((e) => [
      e,
      [{ hooks: [{ type: "command", command: ctx.hook.command(e), timeout: 10 }] }],
    ]),
  );
  const skip = ctx.skipPermissions ? { skipDangerousModePermissionPrompt: true } : {};
  return `${JSON.stringify({ hooks, ...skip }, null, 2)}\n`;
}

/**
 * What a Claude Code hook event means for the worker. SessionStart says it has started: it
 * runs ~1 s before (2.1.332) or just after (2.1.197) the TUI first paints; a prompt pasted from
 * then on lands in the box (2.1.197 may drop the Enter in its first second: orch sends it again
 * after `acceptMs`). orch acts on it only while the worker starts, so the SessionStart after
 * /clear or a compaction changes nothing.
 */
export function claudeHookSignal(e: HookEvent): HookSignal {
  if (e.event === "SessionStart") return "ready";
  if (e.event === "UserPromptSubmit") return "accepted";
  if (e.event === "Stop") return "done";
  if (e.event === "Notification") {
    const p = e.payload as { notification_type?: string; message?: string } | null;
    if (p?.notification_type === "permission_prompt" || /permission/i.test(p?.message ?? ""))
      return "waiting_input";
  }
  return null;
}

/**
 * The answer of the finished turn: the Stop hook's `last_assistant_message`; tokens from the
 * transcript it names when that has caught up with the same answer (it is written
 * asynchronously); the screen when there is no hook.
 */
export function claudeResult(input: ResultInput): TaskResult {
  const p = (input.hook?.payload ?? null) as {
    transcript_path?: string;
    session_id?: string;
    last_assistant_message?: string;
  } | null;
  const session = p?.session_id ? { sessionId: p.session_id } : {};
  const turn = p?.transcript_path ? readLastTurn(p.transcript_path) : null;
  const said = typeof p?.last_assistant_message === "string" ? p.last_assistant_message : null;
  const fresh = turn?.text && (said === null || turn.text.trim() === said.trim()) ? turn : null;
  const text = said ?? fresh?.text ?? screenAnswer(input.raw);
  return {
    text,
    ...session,
    ...(fresh?.stopReason ? { exitReason: fresh.stopReason } : {}),
    ...(fresh?.tokens ? { tokens: fresh.tokens } : {}),
  };
}

/**
 * `claude`: Claude Code's TUI stays up in the pane and every task is a prompt. The prompt is
 * pasted and submitted with Enter after a pause; its hooks (installed with `--settings`) say
 * when it has started, when the prompt was taken and when the turn ended; the screen shows
 * permission prompts and rate limits, and is the fallback for the rest.
 */
export const claudePlugin = definePlugin(
  (): AgentPlugin => ({
    name: "claude",
    description:
      "Claude Code, interactive: the TUI stays up, each task is a prompt; completion from its Stop hook",
    version: "1.0.0",
    startup: (ctx) => ({
      argv: [
        claudeCommand(),
        "--settings",
        join(ctx.dataDir, "claude-settings.json"),
        // the mode orch wants, never Claude Code's own default (since 2.1.3xx "auto", which
        // answers permission prompts itself); the skip flag only when the config names claude
        // in skipPermissions (orch refuses it otherwise)
        ...claudePermissionArgs(ctx.skipPermissions, process.env.ORCH_CLAUDE_PERMISSION_MODE),
      ],
      env: { ORCH_WORKER: ctx.workerName, DISABLE_AUTOUPDATER: "1" },
      files: [{ path: "claude-settings.json", content: hookSettings(ctx) }, ...claudeSeedFiles(ctx)],
    }),
    frame: (task) => ({ text: pasteSafe(task.text), submit: ["Enter"], submitDelayMs: 300 }),
    detect: { kind: "hook", hook: claudeHookSignal, screen: CLAUDE_SCREEN },
    result: claudeResult,
    // 2.1.332 ignores an Enter in the first ~150 ms of its permission dialog
    approval: { approveKeys: ["Enter"], denyKeys: ["Escape"], answerDelayMs: 500 },
    rateLimitWaitMs,
    acceptMs: 4000,
    interruptKeys: ["Escape"],
  }),
);
