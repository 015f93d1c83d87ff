/**
 * A number for messages: thousands separated by commas, at most one decimal.
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
