/** Small formatters shared by the progress views. */
import { formatCount, formatDuration as formatDurationFor } from "../../core/domain/format.ts";

export { formatCount };

/**
 * A duration in the live views: orch's usual format, in tenths of a second below a minute so a
 * ticking clock keeps its unit; negative or non-finite durations show as zero.
 *
 * @example
 * ```ts
 * formatDuration(1234); // "1.2 s"
 * formatDuration(65_000); // "1 min 05 s"
 * ```
 */
export function formatDuration(ms: number): string {
  return formatDurationFor(Number.isFinite(ms) && ms > 0 ? ms : 0, { tenths: true });
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
