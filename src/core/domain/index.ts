/**
 * orch's pure rules: states and their transitions, priorities, retries, config, names and
 * terminal text. No I/O, no clock: everything a rule needs is passed in.
 *
 * @example
 * ```ts
 * import { canTransitionTask, parsePriority } from "../domain/index.ts";
 * ```
 */
export * from "./config.ts";
export * from "./config-resolve.ts";
export { ConfigSchema } from "./config-schema.ts";
export * from "./errors.ts";
export * from "./limits.ts";
export * from "./names.ts";
export * from "./priority.ts";
export * from "./retry.ts";
export * from "./routing.ts";
export * from "./task-status.ts";
export * from "./text.ts";
export type * from "./types.ts";
export * from "./utf8.ts";
export * from "./worker-state.ts";
