/**
 * Calls into plugin code that must never take the controller down: a throwing plugin gives a
 * safe fallback and a logged error naming it.
 */
import type { ApprovalPolicy } from "../domain/config.ts";
import type { TaskResultMeta } from "../domain/types.ts";
import type { AgentPlugin, ApprovalDecision, ResultInput, StartupContext } from "../plugin/contract.ts";
import type { Logger } from "./logger.ts";

/** The plugin's result for a finished task; its raw text when it has no result() or it throws. */
export function extractResult(
  plugin: AgentPlugin,
  input: ResultInput,
  logger: Logger,
): { text: string; isError: boolean; meta: TaskResultMeta | null } {
  if (!plugin.result) return { text: input.raw, isError: false, meta: null };
  try {
    const { text, ...meta } = plugin.result(input);
    return { text, isError: meta.isError === true, meta: Object.keys(meta).length ? meta : null };
  } catch (e) {
    logger.log("error", `plugin ${plugin.name} threw in result(); keeping the raw output`, {
      error: (e as Error).message,
    });
    return { text: input.raw, isError: false, meta: null };
  }
}

/** The plugin's answer to a permission prompt when it has one, else the configured policy. */
export function decideApproval(
  plugin: AgentPlugin,
  screen: string,
  policy: ApprovalPolicy,
  logger: Logger,
): ApprovalDecision {
  try {
    const d = plugin.approval?.decide?.(screen) ?? "ask";
    return d === "ask" ? policy : d;
  } catch (e) {
    logger.log("error", `plugin ${plugin.name} threw in approval.decide(); leaving it to a human`, {
      error: (e as Error).message,
    });
    return "ask";
  }
}

/** The ready pattern of a stored worker's plugin, or undefined (screen rules or a broken plugin). */
export function readyPattern(plugin: AgentPlugin, ctx: StartupContext): RegExp | undefined {
  try {
    return plugin.startup(ctx).ready;
  } catch {
    return undefined;
  }
}
