/**
 * The module plugin authors import (`orch:sdk` in the binary): the contract's types and
 * the helpers a plugin needs. Nothing else of orch is reachable from a plugin.
 */

export { shellQuote } from "../tmux/quote.ts";
export type {
  AgentPlugin,
  Delivery,
  DetectSpec,
  MarkerSpec,
  PluginFactory,
  SeedFile,
  StartupContext,
  StartupSpec,
  TaskInput,
} from "./contract.ts";
export { definePlugin } from "./contract.ts";
