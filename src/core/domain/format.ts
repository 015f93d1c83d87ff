/** How orch writes numbers and durations for people, the same in messages, views and reports. */

/**
 * A number with thousands separated by commas and at most one decimal, in every locale.
 *
 * @example
 * ```ts
 * formatCount(99950); // "99,950"
 * formatCount(812.25); // "812.3"
 * ```
 */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: 1 });
}

/**
 * A duration as people read it: `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`, rounded to the
 * unit shown; a negative duration gets a leading `-`. With `tenths`, durations under a second
 * show as `0.4 s` too (a live view whose clock ticks keeps one unit). Throws a RangeError for a
 * non-finite number.
 *
 * @example
 * ```ts
 * formatDuration(850); // "850 ms"
 * formatDuration(850, { tenths: true }); // "0.9 s"
 * formatDuration(245_000); // "4 min 05 s"
 * formatDuration(7_380_000); // "2 h 03 min"
 * ```
 */
export function formatDuration(ms: number, opts: { tenths?: boolean } = {}): string {
  if (!Number.isFinite(ms)) throw new RangeError(`duration ${ms}: expected a finite number of milliseconds`);
  if (ms < 0) return `-${formatDuration(-ms, opts)}`;
  if (!opts.tenths && Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  // round to tenths first, so 59.96 s shows as "1 min 00 s", not "60.0 s"
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${pad2(seconds % 60)} s`;
  const minutes = Math.round(ms / 60_000);
  return `${Math.floor(minutes / 60)} h ${pad2(minutes % 60)} min`;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}
