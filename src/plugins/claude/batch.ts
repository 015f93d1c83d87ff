import { definePlugin, type ResultInput, shellQuote, type TaskResult } from "../../core/plugin/sdk.ts";
import { shellBatchPlugin } from "../shell/batch.ts";
import { claudeCommand, claudeSeedFiles } from "./index.ts";
import { claudePermissionArgs } from "./permission-mode.ts";

/** The JSON object `claude -p --output-format json` printed last, as a task result. */
export function claudeBatchResult(input: ResultInput): TaskResult {
  const line = input.raw
    .split("\n")
    .reverse()
    .find((l) => l.trim().startsWith("{") && l.includes('"result"'));
  if (!line) return { text: input.raw, ...(input.exitCode ? { isError: true } : {}) };
  const j = JSON.parse(line) as {
    result?: string;
    is_error?: boolean;
    subtype?: string;
    session_id?: string;
    total_cost_usd?: number;
    usage?: { input_tokens?: number; output_tokens?: number };
  };
  return {
    text: j.result ?? "",
    isError: j.is_error === true,
    ...(j.subtype ? { exitReason: j.subtype } : {}),
    ...(j.session_id ? { sessionId: j.session_id } : {}),
    ...(j.total_cost_usd !== undefined ? { costUsd: j.total_cost_usd } : {}),
    ...(j.usage ? { tokens: { input: j.usage.input_tokens ?? 0, output: j.usage.output_tokens ?? 0 } } : {}),
  };
}

/**
 * The permission mode flag for `claude -p`, as for the interactive plugin
 * (`ORCH_CLAUDE_PERMISSION_MODE`, default `default`), with a space after it; nothing when the
 * user's own batch args already pick a mode.
 *
 * @example
 * batchPermissionArgs("--allowedTools Bash"); // "--permission-mode default "
 * batchPermissionArgs("--permission-mode plan"); // ""
 */
export function batchPermissionArgs(userArgs: string): string {
  if (/(^|\s)(--permission-mode|--dangerously-skip-permissions)(\s|=|$)/.test(userArgs)) return "";
  return `${claudePermissionArgs(false, process.env.ORCH_CLAUDE_PERMISSION_MODE).join(" ")} `;
}

/**
 * `claude-batch`: a bash in the project runs `claude -p --output-format json` per task, the task
 * on its stdin (never in its argv); the end marker ends it and the JSON it prints is the result
 * (text, cost, tokens, session).
 * Extra flags come from `ORCH_CLAUDE_BATCH_ARGS` (e.g. `--allowedTools Bash`).
 */
export const claudeBatchPlugin = definePlugin(() =>
  shellBatchPlugin({
    name: "claude-batch",
    description:
      "Claude Code, batch: `claude -p --output-format json` per task in a shell; completion by end marker",
    command: () => [
      `${shellQuote(claudeCommand())} -p`,
      `--output-format json ${batchPermissionArgs(process.env.ORCH_CLAUDE_BATCH_ARGS ?? "")}${process.env.ORCH_CLAUDE_BATCH_ARGS ?? ""}`.trim(),
    ],
    seed: claudeSeedFiles,
    result: claudeBatchResult,
  }),
);
