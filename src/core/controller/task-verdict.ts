import type { TaskResultMeta } from "../domain/types.ts";
import type { AgentPlugin } from "../plugin/contract.ts";
import { callResult } from "./plugin-boundary.ts";
import type { KeptOutput } from "./task-output.ts";

/** How a task that printed its end marker ended, as the store records it. */
export interface MarkerVerdict {
  failed: boolean;
  error: string | null;
  /** The output to store: the plugin's result text when it read one, else the raw output kept. */
  stored: KeptOutput;
  /** What the plugin's result() said beyond its text (tokens, cost, session...), if anything. */
  meta: TaskResultMeta | null;
  /** Why the plugin could not read the result (the task fails; its raw output is kept). */
  pluginError: string | null;
}

/**
 * The verdict of a marker task from its exit status and the plugin's reading of its output
 * (through the plugin boundary); `keepText` caps a result text as stored output is capped.
 *
 * @example
 * markerVerdict(plugin, { text: "ok\n", fullBytes: null }, 0, keep); // { failed: false, error: null, ... }
 */
export function markerVerdict(
  plugin: AgentPlugin,
  kept: KeptOutput,
  exitCode: number,
  keepText: (text: string) => KeptOutput,
): MarkerVerdict {
  const extracted = plugin.result ? callResult(plugin, { raw: kept.text, exitCode }) : null;
  const pluginError = extracted && !extracted.ok ? extracted.error : null;
  const result = extracted?.ok ? extracted.value : null;
  const failed = exitCode !== 0 || result?.isError === true || pluginError !== null;
  const error =
    exitCode !== 0
      ? `exited with status ${exitCode}`
      : pluginError !== null
        ? `${pluginError}; the raw output is kept`
        : failed
          ? "the agent reported an error"
          : null;
  return {
    failed,
    error,
    stored: result ? keepText(result.text) : kept,
    meta: result?.meta ?? null,
    pluginError,
  };
}
