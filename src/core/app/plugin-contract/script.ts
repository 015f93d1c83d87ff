/**
 * What a plugin's agent shows in the contract suite: its prompt, what a command prints, its
 * screens and its hook events. The suite plays them back at the plugin through the real flows.
 * A script is plain data, so it can be a JSON file next to the plugin (`orch plugin test
 * PLUGIN --script FILE`).
 */
import { z } from "zod";
import { fail, ok, type Result } from "../../domain/result.ts";
import type { HookEvent } from "../../plugin/contract.ts";

/**
 * @example
 * ```ts
 * // a command-like (marker) agent
 * const dash: ContractScript = { prompt: "dash$ ", output: "hello\n" };
 * // a TUI with hooks: screens as `capture-pane -p` shows them, hook events as `orch hook` gets them
 * const tui: ContractScript = {
 *   screens: { idle: "> ", busy: "Working (esc to interrupt)", done: "● hello\n> " },
 *   hooks: { done: { event: "Stop", payload: { last_assistant_message: "hello" } } },
 *   expectOutput: "hello",
 * };
 * ```
 */
export interface ContractScript {
  /** The task's text (default `say hello`). */
  task?: string;
  /** What the agent prints when it waits for input; `startup().ready` must match it (marker agents). */
  prompt?: string;
  /** What the framed command prints between the markers (marker agents; default `hello\n`). */
  output?: string;
  /** The task's output as orch records it, after the plugin's `result()` (default: `output`). */
  expectOutput?: string;
  /** Screens as `capture-pane -p` gives them. `idle`, `busy` and `done` are needed by TUI agents. */
  screens?: {
    idle?: string;
    busy?: string;
    /** The screen once the answer is shown. */
    done?: string;
    /** A permission prompt (needed when the plugin has `approval`). */
    permission?: string;
    /** The screen of a rate limit the agent gave up on. */
    rateLimited?: string;
  };
  /** Hook events as the agent's hooks send them. `done` is needed by `hook` agents. */
  hooks?: {
    /** Sent after the submit keys: the agent took the prompt. */
    accepted?: HookEvent;
    /** Sent when the turn ended. */
    done?: HookEvent;
  };
}

const hookEvent = z.strictObject({ event: z.string().min(1), payload: z.unknown() });

const schema = z.strictObject({
  task: z.string().min(1).optional(),
  prompt: z.string().optional(),
  output: z.string().optional(),
  expectOutput: z.string().optional(),
  screens: z
    .strictObject({
      idle: z.string().optional(),
      busy: z.string().optional(),
      done: z.string().optional(),
      permission: z.string().optional(),
      rateLimited: z.string().optional(),
    })
    .optional(),
  hooks: z.strictObject({ accepted: hookEvent.optional(), done: hookEvent.optional() }).optional(),
});

/**
 * Checks a script read from a file; the error names the file and the bad field.
 *
 * @example
 * ```ts
 * parseContractScript({ prompt: 1 }, "dash.script.json");
 * // { ok: false, code: "bad_input", error: "contract script dash.script.json is invalid: prompt: expected string, received number" }
 * ```
 */
export function parseContractScript(value: unknown, origin: string): Result<ContractScript> {
  const r = schema.safeParse(value);
  if (r.success) return ok(r.data as ContractScript);
  const issues = r.error.issues.map((i) => `${i.path.join(".") || "(script)"}: ${i.message}`).join("; ");
  return fail("bad_input", `contract script ${origin} is invalid: ${issues}`);
}
