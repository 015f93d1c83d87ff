/**
 * Numbers for the benchmark: a sub-millisecond wall clock comparable with bash's
 * `$EPOCHREALTIME`, percentiles, and the per-contender result shape.
 */

/** `Date.now()` is whole milliseconds; anchor the monotonic clock to it at a millisecond edge. */
const ANCHOR = (() => {
  const a = Date.now();
  let b = Date.now();
  while (b === a) b = Date.now();
  return b - performance.now();
})();

/**
 * Wall-clock time in milliseconds since the epoch, with sub-millisecond resolution, on the same
 * clock as bash's `$EPOCHREALTIME` (CLOCK_REALTIME).
 *
 * @example
 * const t = nowMs(); // 1732406400123.456
 */
export function nowMs(): number {
  return ANCHOR + performance.now();
}

/** Latency figures in milliseconds. */
export interface LatencySummary {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * Nearest-rank percentile of an ascending array (`p` from 0 to 100).
 *
 * @example
 * percentile([1, 2, 3, 4], 50); // 2
 */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/**
 * p50, p99, max and mean of some samples.
 *
 * @example
 * summarize([3, 1, 2]).p50; // 2
 */
export function summarize(samples: number[]): LatencySummary {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((acc, v) => acc + v, 0) / (s.length || 1);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s.at(-1) ?? Number.NaN, mean };
}

/** What one contender measured for one worker count. */
export interface RunResult {
  /** "unmasked": orch with secret masking turned off (ORCH_MASK=0), to show what masking costs. */
  /** "remote": orch's workers on a host over ssh; "sshpoll": the peers' way to one (ssh per call, polling). */
  contender: "raw" | "naive" | "orch" | "unmasked" | "baseline" | "remote" | "sshpoll";
  workers: number;
  tasks: number;
  seconds: number;
  tasksPerSec: number;
  /** Marker printed (the task's `$EPOCHREALTIME`) -> task recorded finished, in ms. */
  detection: LatencySummary;
  /** orch only: marker printed -> the bench's long-poll returned with the final task, in ms. */
  clientSeen?: LatencySummary;
  /** orch only: the controller's CPU time over the timed window, per task, in ms. */
  controllerCpuMsPerTask?: number;
  /** The bench process's own CPU per task (its HTTP requests, for orch), ms. */
  clientCpuMsPerTask?: number;
  /** The tmux server's CPU time over the timed window, per task, in ms (raw and orch). */
  tmuxCpuMsPerTask?: number;
}

/**
 * Builds a {@link RunResult} from the timed window and the per-task latencies.
 *
 * @example
 * runResult("raw", 4, 300, 1000, 1250, latencies); // tasksPerSec 1200
 */
export function runResult(
  contender: RunResult["contender"],
  workers: number,
  tasks: number,
  startMs: number,
  endMs: number,
  latencies: number[],
): RunResult {
  const seconds = (endMs - startMs) / 1000;
  return {
    contender,
    workers,
    tasks,
    seconds,
    tasksPerSec: tasks / seconds,
    detection: summarize(latencies),
  };
}

/** Median of some numbers. */
export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/**
 * The run with the median tasks/s (the lower middle one of an even count).
 *
 * @example
 * medianRun([a, b, c]); // whichever of the three has the middle tasks/s
 */
export function medianRun(runs: RunResult[]): RunResult {
  const sorted = [...runs].sort((a, b) => a.tasksPerSec - b.tasksPerSec);
  return sorted[Math.ceil(sorted.length / 2) - 1]!;
}
