/**
 * A text progress bar `[####......]` of `width` cells between the brackets, filled in
 * proportion to `done / total` (rounded down, so it is only full when all is done). An empty
 * total shows a full bar: there is nothing left to do.
 *
 * @example
 * ```ts
 * progressBar(12, 40, 10); // "[###.......]"
 * progressBar(0, 0, 4); // "[####]"
 * ```
 */
export function progressBar(done: number, total: number, width: number): string {
  const cells = Math.max(0, Math.floor(width));
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.floor(ratio * cells);
  return `[${"#".repeat(filled)}${".".repeat(cells - filled)}]`;
}
