/** What orch answers when asked for a worker it does not have. */

/** How many worker names the message lists before it only counts the rest. */
export const LISTED_WORKERS = 10;

/**
 * The message for an unknown worker `name`: the workers there are, the first
 * {@link LISTED_WORKERS} in the order given and how many more (64 names would fill a screen).
 *
 * @example
 * ```ts
 * unknownWorkerMessage("w9", ["w1", "w2"]); // 'unknown worker "w9" (workers: w1, w2)'
 * unknownWorkerMessage("x", []); // 'unknown worker "x" (no workers yet)'
 * unknownWorkerMessage("x", names64); // 'unknown worker "x" (workers: w1, ..., w10 and 54 more; orch status lists them)'
 * ```
 */
export function unknownWorkerMessage(name: string, names: readonly string[]): string {
  if (names.length === 0) return `unknown worker ${JSON.stringify(name)} (no workers yet)`;
  if (names.length <= LISTED_WORKERS)
    return `unknown worker ${JSON.stringify(name)} (workers: ${names.join(", ")})`;
  const listed = names.slice(0, LISTED_WORKERS).join(", ");
  const more = names.length - LISTED_WORKERS;
  return `unknown worker ${JSON.stringify(name)} (workers: ${listed} and ${more} more; orch status lists them)`;
}
