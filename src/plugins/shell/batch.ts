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
 * A shell command that runs `cmd` with `text` on its standard input, byte for byte, never in
 * any process's argv (where `ps` would show it for the whole run): a quoted here-document
 * (nothing in it expands; its delimiter carries the task id) read by `cat` into a variable
 * (with a `.` after it, so that no newline of the text is dropped), then piped by the `printf`
 * builtin without the newline the here-document adds and the `.`.
 *
 * @example
 * promptStdin("claude -p --output-format json", "hi", "t1");
 * // _orch_prompt=$(cat <<'ORCH_PROMPT_t1'\nhi\nORCH_PROMPT_t1\nprintf .)
 * // printf '%s' "${_orch_prompt%$'\n.'}" | claude -p --output-format json
 */
export function promptStdin(cmd: string, text: string, id: string): string {
  const tag = `ORCH_PROMPT_${id.replace(/[^A-Za-z0-9]/g, "")}`;
  return `_orch_prompt=$(cat <<'${tag}'\n${text}\n${tag}\nprintf .)\nprintf '%s' "\${_orch_prompt%$'\\n.'}" | ${cmd}`;
}

/**
 * An agent run once per task from the `shell` plugin's bash: `program flags`, the prompt on its
 * standard input byte for byte (never in its argv), completion by the end marker, the output
 * parsed by `result`.
 *
 * @example
 * shellBatchPlugin({ name: "x-batch", description: "...", command: () => ["x -p", "--json"],
 *   seed: () => [], result: (i) => ({ text: i.raw }) });
 */
export function shellBatchPlugin(o: {
  name: string;
  description: string;
  /** The program and its flags, as shell words (already quoted where needed); it reads the prompt on stdin. */
  command: () => [program: string, flags: string];
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
      const cmd = promptStdin(o.command().join(" ").trim(), pasteSafe(task.text), task.id);
      return shellDelivery({ ...task, text: cmd }, markers);
    },
    detect: { kind: "marker", nonce: true },
    result: o.result,
    interruptKeys: ["C-c"],
  };
}
