import type { ReportOptions, ResolvedReportOptions } from "./types.ts";

/** Characters of output a report keeps per task unless told otherwise. */
export const DEFAULT_EXCERPT_CHARS = 400;

/** Tasks a report's tables list (besides the failed ones) unless told otherwise. */
export const DEFAULT_TASK_LIMIT = 1000;

/**
 * Fills in the defaults of {@link ReportOptions}. Throws a RangeError naming the bad value
 * when a count is not a whole number >= 0 or `now` is not a finite number.
 *
 * @example
 * ```ts
 * resolveReportOptions({ now: 5000 }); // { excerptChars: 400, now: 5000, taskLimit: 1000 }
 * ```
 */
export function resolveReportOptions(opts: ReportOptions = {}): ResolvedReportOptions {
  const excerptChars = opts.excerptChars ?? DEFAULT_EXCERPT_CHARS;
  const taskLimit = opts.taskLimit ?? DEFAULT_TASK_LIMIT;
  const now = opts.now ?? Date.now();
  for (const [name, value] of [
    ["excerptChars", excerptChars],
    ["taskLimit", taskLimit],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`${name}=${value}: expected a whole number >= 0`);
    }
  }
  if (!Number.isFinite(now)) throw new RangeError(`now=${now}: expected epoch milliseconds`);
  return { excerptChars, now, taskLimit };
}
