/**
 * Contract scripts of the built-in and example plugins: what each agent shows, from the
 * recorded screens and hook payloads in tests/fixtures (see tests/fixtures/screens/README.md),
 * and what its command prints for the command-like ones.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ContractScript } from "../../src/core/app/plugin-contract/index.ts";
import type { HookEvent } from "../../src/core/plugin/contract.ts";

const FIX = resolve(import.meta.dir, "..", "fixtures");

/** A recorded screen: `tests/fixtures/screens/<agent>/<name>.txt`. */
export function recordedScreen(agent: "claude" | "codex", name: string): string {
  return readFileSync(join(FIX, "screens", agent, `${name}.txt`), "utf8");
}

/** A recorded hook payload (`tests/fixtures/hooks/<file>.json`) as the event `orch hook` gets. */
export function recordedHook(file: string, event: string): HookEvent {
  return { event, payload: JSON.parse(readFileSync(join(FIX, "hooks", `${file}.json`), "utf8")) };
}

/** bash's prompt with bracketed paste on (the shell plugin's rcfile), which its ready pattern looks for. */
const BASH_PROMPT = "\x1b[?2004h$ ";

/** The prompt the fixtures were recorded with; the answer of the fake model API is in them. */
const RECORDED_TASK = "SLOW: 5000 REPLY: slow reply done";

/** The script each plugin is run with, by plugin name. */
export const PLUGIN_SCRIPTS: Record<string, ContractScript> = {
  shell: { task: "echo hello", prompt: BASH_PROMPT, output: "hello\n" },
  "claude-batch": {
    prompt: BASH_PROMPT,
    output:
      '{"type":"result","subtype":"success","is_error":false,"result":"hello there","session_id":"s1","total_cost_usd":0.01,"usage":{"input_tokens":9,"output_tokens":2}}\n',
    expectOutput: "hello there",
  },
  "gpt-batch": {
    prompt: BASH_PROMPT,
    output: [
      '{"type":"thread.started","thread_id":"t1"}',
      '{"type":"turn.started"}',
      '{"type":"item.completed","item":{"type":"agent_message","text":"hello there"}}',
      '{"type":"turn.completed","usage":{"input_tokens":9,"output_tokens":2}}',
      "",
    ].join("\n"),
    expectOutput: "hello there",
  },
  claude: {
    task: RECORDED_TASK,
    screens: {
      idle: recordedScreen("claude", "idle"),
      busy: recordedScreen("claude", "busy"),
      done: recordedScreen("claude", "done"),
      permission: recordedScreen("claude", "permission"),
      rateLimited: recordedScreen("claude", "rate_limited_final"),
    },
    hooks: {
      accepted: recordedHook("claude-user-prompt-submit", "UserPromptSubmit"),
      done: recordedHook("claude-stop", "Stop"),
    },
    expectOutput: "slow reply done",
  },
  gpt: {
    task: RECORDED_TASK,
    screens: {
      idle: recordedScreen("codex", "idle"),
      busy: recordedScreen("codex", "busy"),
      done: recordedScreen("codex", "done"),
      permission: recordedScreen("codex", "approval"),
      rateLimited: recordedScreen("codex", "rate_limited"),
    },
    hooks: { done: recordedHook("codex-notify", "notify") },
    expectOutput: "slow reply done",
  },
};
