import {
  type AgentPlugin,
  pasteSafe,
  type ResultInput,
  type SeedFile,
  type StartupContext,
  type TaskResult,
} from "../../core/plugin/sdk.ts";
import { shellDelivery, shellPlugin } from "./index.ts";

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

/**
 * An agent run once per task from the `shell` plugin's bash: `before PROMPT after`, the prompt
 * passed byte for byte, completion by the end marker, the output parsed by `result`.
 *
 * @example
 * shellBatchPlugin({ name: "x-batch", description: "...", command: () => ["x -p", "--json"],
 *   seed: () => [], result: (i) => ({ text: i.raw }) });
 */
export function shellBatchPlugin(o: {
  name: string;
  description: string;
  /** The shell words before and after the prompt (already quoted where needed). */
  command: () => [before: string, after: string];
  /** Agent config to seed, besides the shell's rcfile. */
  seed: (ctx: StartupContext) => SeedFile[];
  result: (input: ResultInput) => TaskResult;
}): AgentPlugin {
  const shell = shellPlugin();
  return {
    name: o.name,
    description: o.description,
    version: "1.0.0",
    startup: (ctx) => {
      const s = shell.startup(ctx);
      return { ...s, files: [...(s.files ?? []), ...o.seed(ctx)], runs: o.command() };
    },
    frame: (task, markers) => {
      const [before, after] = o.command();
      const cmd = promptArg(before, pasteSafe(task.text), task.id, after);
      return shellDelivery({ ...task, text: cmd }, markers);
    },
    detect: { kind: "marker", nonce: true },
    result: o.result,
    interruptKeys: ["C-c"],
  };
}
