import type { PluginFactory } from "../core/plugin/sdk.ts";
import { claudeBatchPlugin } from "./claude/batch.ts";
import { claudePlugin } from "./claude/index.ts";
import { gptBatchPlugin } from "./gpt/batch.ts";
import { gptPlugin } from "./gpt/index.ts";
import { shellPlugin } from "./shell/index.ts";

/** The agent types built into the binary. The CLI hands them to the controller; the core never imports them. */
export const builtinPlugins: Record<string, PluginFactory> = {
  shell: shellPlugin,
  claude: claudePlugin,
  "claude-batch": claudeBatchPlugin,
  gpt: gptPlugin,
  "gpt-batch": gptBatchPlugin,
};
