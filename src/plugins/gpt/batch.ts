import { definePlugin, type ResultInput, shellQuote, type TaskResult } from "../../core/plugin/sdk.ts";
import { shellBatchPlugin } from "../shell/batch.ts";
import { codexSeedFiles } from "./config.ts";
import { codexCommand } from "./index.ts";

type Ev = {
  type?: string;
  thread_id?: string;
  item?: { type?: string; text?: string };
  usage?: { input_tokens?: number; output_tokens?: number };
  error?: { message?: string };
};

/** The JSONL events of `codex exec --json` as a task result: the last agent message, usage, thread. */
export function codexBatchResult(input: ResultInput): TaskResult {
  const events: Ev[] = [];
  for (const line of input.raw.split("\n")) {
    const t = line.trim();
    if (!t.startsWith("{")) continue;
    try {
      events.push(JSON.parse(t) as Ev);
    } catch {
      // not an event line
    }
  }
  if (events.length === 0) return { text: input.raw, ...(input.exitCode ? { isError: true } : {}) };
  const thread = events.find((e) => e.type === "thread.started")?.thread_id;
  const message = events
    .filter((e) => e.type === "item.completed" && e.item?.type === "agent_message")
    .at(-1);
  const done = events.findLast((e) => e.type === "turn.completed" || e.type === "turn.failed");
  const failed = done?.type === "turn.failed" || events.some((e) => e.type === "error");
  return {
    text: message?.item?.text ?? "",
    isError: failed,
    exitReason: done?.type ?? "unknown",
    ...(thread ? { sessionId: thread } : {}),
    ...(done?.usage
      ? { tokens: { input: done.usage.input_tokens ?? 0, output: done.usage.output_tokens ?? 0 } }
      : {}),
  };
}

/**
 * `gpt-batch`: a bash in the project runs `codex exec --json -` per task, the task on its stdin
 * (`-`: never in its argv); the end marker ends it, the JSONL events give the answer, tokens and
 * thread id. Extra flags come from `ORCH_CODEX_BATCH_ARGS` (e.g. `--full-auto`).
 */
export const gptBatchPlugin = definePlugin(() =>
  shellBatchPlugin({
    name: "gpt-batch",
    description: "OpenAI Codex CLI, batch: `codex exec --json` per task in a shell; completion by end marker",
    command: () => [
      `${shellQuote(codexCommand())} exec --json --skip-git-repo-check -c check_for_update_on_startup=false ${process.env.ORCH_CODEX_BATCH_ARGS ?? ""}`.trim(),
      "-",
    ],
    seed: (ctx) => codexSeedFiles(ctx.home, ctx.project),
    result: codexBatchResult,
  }),
);
