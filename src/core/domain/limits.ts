import type { Config } from "./config.ts";

/**
 * Resource limits (the seed's enforce_resource_limits): how many workers and queued tasks there
 * may be, and how much memory and CPU one worker's process tree may use. The rules are in
 * `limits-admission.ts` (spawning and queueing) and `limits-usage.ts` (memory and CPU).
 */

/** What happens to a worker over a memory or CPU limit: a warning only, a restart, or a kill. */
export type LimitPolicy = "warn" | "restart" | "kill";

/** The limits; `null` turns a limit off. */
export interface ResourceLimits {
  /** Most workers alive at once. */
  maxWorkers: number;
  /** Most workers alive at once per agent type; a type not in the map has no limit of its own. */
  maxWorkersPerType: Record<string, number>;
  /** Most workers alive at once in one project. */
  maxWorkersPerProject: number | null;
  /** Most tasks queued at once. */
  maxQueuedTasks: number;
  /** Most resident memory of one worker's process tree, in MB (2^20 bytes). */
  maxWorkerMemoryMb: number | null;
  memoryPolicy: LimitPolicy;
  /** Most CPU one worker's process tree may use, in percent of one core (so it may be over 100). */
  maxWorkerCpuPercent: number | null;
  cpuPolicy: LimitPolicy;
}

/**
 * The defaults: 64 workers, 100,000 queued tasks, no per-type, per-project, memory or CPU limit.
 *
 * @example
 * ```ts
 * const limits: ResourceLimits = { ...DEFAULT_LIMITS, maxWorkerMemoryMb: 2048, memoryPolicy: "restart" };
 * ```
 */
export const DEFAULT_LIMITS: Readonly<ResourceLimits> = Object.freeze({
  maxWorkers: 64,
  maxWorkersPerType: Object.freeze({}) as Record<string, number>,
  maxWorkersPerProject: null,
  maxQueuedTasks: 100_000,
  maxWorkerMemoryMb: null,
  memoryPolicy: "warn",
  maxWorkerCpuPercent: null,
  cpuPolicy: "warn",
});

export * from "./limits-admission.ts";
export * from "./limits-usage.ts";

/**
 * The limits a resolved config asks for (its 0s mean "no limit").
 *
 * @example
 * ```ts
 * limitsFromConfig({ ...DEFAULT_CONFIG, maxWorkerMemoryMb: 512 }).maxWorkerMemoryMb; // 512
 * limitsFromConfig(DEFAULT_CONFIG).maxWorkerCpuPercent; // null
 * ```
 */
export function limitsFromConfig(
  c: Pick<
    Config,
    | "maxWorkers"
    | "maxWorkersPerType"
    | "maxWorkersPerProject"
    | "maxQueuedTasks"
    | "maxWorkerMemoryMb"
    | "memoryPolicy"
    | "maxWorkerCpuPercent"
    | "cpuPolicy"
  >,
): ResourceLimits {
  return {
    maxWorkers: c.maxWorkers,
    maxWorkersPerType: c.maxWorkersPerType,
    maxWorkersPerProject: c.maxWorkersPerProject || null,
    maxQueuedTasks: c.maxQueuedTasks,
    maxWorkerMemoryMb: c.maxWorkerMemoryMb || null,
    memoryPolicy: c.memoryPolicy,
    maxWorkerCpuPercent: c.maxWorkerCpuPercent || null,
    cpuPolicy: c.cpuPolicy,
  };
}
