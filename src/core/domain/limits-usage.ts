/** Whether a worker's process tree uses more memory or CPU than the resource limits allow. */

import { formatCount } from "./format.ts";
import type { LimitPolicy, ResourceLimits } from "./limits.ts";

/** One measurement of a worker's process tree (see `treeUsage` in core/runtime/proc-tree.ts). */
export interface UsageSample {
  /** When it was taken, in milliseconds (any clock, as long as samples share it). */
  at: number;
  rssBytes: number;
  /** CPU time the tree has used so far, in milliseconds. */
  cpuMs: number;
}

/** A limit a sample breaks, and what the limit's policy says to do about it. */
export interface LimitBreach {
  limit: "memory" | "cpu";
  /** The usage: MB for memory, percent of one core for CPU, rounded to one decimal. */
  value: number;
  max: number;
  policy: LimitPolicy;
  message: string;
}

/** CPU is only measured over at least this long, so that a clock tick does not look like a burst. */
const MIN_CPU_WINDOW_MS = 1000;
const BYTES_PER_MB = 1024 * 1024;

/**
 * What the latest sample breaks. Memory is `cur.rssBytes` in MB. CPU% is
 * `(cur.cpuMs - prev.cpuMs) / (cur.at - prev.at) * 100` (of one core), measured only when there
 * is a previous sample at least 1 s earlier. Values are rounded to one decimal first; a value
 * equal to its limit is not a breach. A tree whose CPU time went down (a child exited) uses 0%.
 *
 * @example
 * ```ts
 * const limits = { ...DEFAULT_LIMITS, maxWorkerMemoryMb: 512, memoryPolicy: "restart" as const };
 * limitBreaches(limits, null, { at: 0, rssBytes: 812 * 2 ** 20, cpuMs: 0 });
 * // [{ limit: "memory", value: 812, max: 512, policy: "restart",
 * //    message: "memory 812 MB over the limit of 512 MB (maxWorkerMemoryMb); policy restart" }]
 * ```
 */
export function limitBreaches(
  limits: ResourceLimits,
  prev: UsageSample | null,
  cur: UsageSample,
): LimitBreach[] {
  const breaches: LimitBreach[] = [];
  const maxMb = limits.maxWorkerMemoryMb;
  if (maxMb !== null) {
    const mb = roundTenth(cur.rssBytes / BYTES_PER_MB);
    if (mb > maxMb)
      breaches.push(breach("memory", mb, maxMb, limits.memoryPolicy, "MB", "maxWorkerMemoryMb"));
  }
  const maxCpu = limits.maxWorkerCpuPercent;
  if (maxCpu !== null && prev !== null && cur.at - prev.at >= MIN_CPU_WINDOW_MS) {
    const percent = roundTenth((Math.max(0, cur.cpuMs - prev.cpuMs) / (cur.at - prev.at)) * 100);
    if (percent > maxCpu) {
      breaches.push(breach("cpu", percent, maxCpu, limits.cpuPolicy, "%", "maxWorkerCpuPercent"));
    }
  }
  return breaches;
}

/** A breach with its message, e.g. "cpu 250% over the limit of 200% (maxWorkerCpuPercent); policy kill". */
function breach(
  limit: LimitBreach["limit"],
  value: number,
  max: number,
  policy: LimitPolicy,
  unit: "MB" | "%",
  knob: string,
): LimitBreach {
  const show = (n: number) => (unit === "MB" ? `${formatCount(n)} MB` : `${formatCount(n)}%`);
  const message = `${limit} ${show(value)} over the limit of ${show(max)} (${knob}); policy ${policy}`;
  return { limit, value, max, policy, message };
}

/** `n` rounded to one decimal. */
function roundTenth(n: number): number {
  return Math.round(n * 10) / 10;
}
