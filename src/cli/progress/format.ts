/** Small formatters shared by the progress views. */

/**
 * A duration for people: tenths of a second under a minute, then minutes and seconds, then
 * hours and minutes. Negative or non-finite durations show as zero.
 *
 * @example
 * ```ts
 * formatDuration(1234); // "1.2 s"
 * formatDuration(65_000); // "1m 05s"
 * formatDuration(3_723_000); // "1h 02m"
 * ```
 */
export function formatDuration(ms: number): string {
  const safe = Number.isFinite(ms) && ms > 0 ? ms : 0;
  // Round to tenths first so 59.96 s shows as "1m 00s", not "60.0 s".
  const tenths = Math.round(safe / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const seconds = Math.round(safe / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad2(seconds % 60)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)}h ${pad2(minutes % 60)}m`;
}

/**
 * The local wall-clock time of an epoch-ms instant as `HH:MM:SS`.
 *
 * @example
 * ```ts
 * formatClock(new Date(2025, 0, 1, 12, 0, 3).getTime()); // "12:00:03"
 * ```
 */
export function formatClock(at: number): string {
  const d = new Date(at);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/**
 * A count with thousands separators, the same in every locale.
 *
 * @example
 * ```ts
 * formatCount(9950); // "9,950"
 * ```
 */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/**
 * `"1 step"` or `"3 steps"`: a count and a noun, plural unless the count is 1.
 *
 * @example
 * ```ts
 * plural(9950, "more step"); // "9,950 more steps"
 * ```
 */
export function plural(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? "" : "s"}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}
