/**
 * The module plugin authors import (`orch:sdk` in the binary): the contract's types and
 * the helpers a plugin needs. Nothing else of orch is reachable from a plugin.
 */

export { z } from "zod";
export { shellQuote } from "../tmux/quote.ts";
export type {
  AgentPlugin,
  ApprovalDecision,
  ApprovalSpec,
  Delivery,
  DetectSpec,
  HookEvent,
  HookSignal,
  MarkerSpec,
  PluginFactory,
  ProbeSpec,
  ResultInput,
  ScreenRules,
  ScreenState,
  SeedFile,
  StartupContext,
  StartupSpec,
  TaskInput,
  TaskResult,
} from "./contract.ts";
export { definePlugin } from "./contract.ts";
export { pasteSafe } from "./paste-guard.ts";
export { betweenPrompts, classifyScreen } from "./screen-rules.ts";
export { makeStartupContext } from "./startup-context.ts";
