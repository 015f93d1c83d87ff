import {
  type AgentPlugin,
  definePlugin,
  pasteSafe,
  type ResultInput,
  shellQuote,
  type TaskResult,
} from "../../core/plugin/sdk.ts";
import { frameShellTask, shellPlugin } from "../shell/index.ts";
import { claudeCommand, claudeSeedFiles } from "./index.ts";

/**
 * A shell command that passes `text` to `cmd` byte for byte as one argument: a quoted
 * here-document (nothing in it expands) whose delimiter carries the task id.
 *
 * @example
 * promptArg("claude -p", "hi", "t1", "--output-format json");
 * // claude -p "$(cat <<'ORCH_PROMPT_t1'\nhi\nORCH_PROMPT_t1\n)" --output-format json < /dev/null
 */
export function promptArg(cmd: string, text: string, id: string, after: string): string {
  const tag = `ORCH_PROMPT_${id.replace(/[^A-Za-z0-9]/g, "")}`;
  return `${cmd} "$(cat <<'${tag}'\n${text}\n${tag}\n)" ${after} < /dev/null`;
}

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
 * `claude-batch`: a bash in the project runs `claude -p TASK --output-format json` per task;
 * the end marker ends it and the JSON it prints is the result (text, cost, tokens, session).
 * Extra flags come from `ORCH_CLAUDE_BATCH_ARGS` (e.g. `--allowedTools Bash`).
 */
export const claudeBatchPlugin = definePlugin((): AgentPlugin => {
  const shell = shellPlugin();
  return {
    name: "claude-batch",
    description:
      "Claude Code, batch: `claude -p --output-format json` per task in a shell; completion by end marker",
    version: "1.0.0",
    startup: (ctx) => {
      const s = shell.startup(ctx);
      return { ...s, files: [...(s.files ?? []), ...claudeSeedFiles(ctx)] };
    },
    frame: (task, markers) => {
      const extra = process.env.ORCH_CLAUDE_BATCH_ARGS ?? "";
      const text = pasteSafe(task.text);
      const cmd = promptArg(
        `${shellQuote(claudeCommand())} -p`,
        text,
        task.id,
        `--output-format json ${extra}`.trim(),
      );
      return { text: frameShellTask({ id: task.id, text: cmd }, markers), submit: ["Enter"] };
    },
    detect: { kind: "marker" },
    result: claudeBatchResult,
    interruptKeys: ["C-c"],
  };
});
