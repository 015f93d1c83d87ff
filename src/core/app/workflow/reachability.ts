/** Whether one step is among another's needs, directly or through other steps, for many pairs at once. */

/** A question for {@link needsTransitively}: does step `from` need step `to`, directly or not? */
export interface NeedQuery {
  from: number;
  to: number;
}

/**
 * Answers each query for an acyclic graph given by index (`needs[i]`: what step `i` needs
 * directly; `order`: a topological order). Queries answered by a direct need cost nothing; the
 * others are grouped by the step asked about, 32 at a time, and each group costs one pass over
 * the graph: O((steps + edges) * (1 + distinct indirect targets / 32)).
 *
 * @example
 * ```ts
 * // 0 <- 1 <- 2 (2 needs 1, 1 needs 0)
 * needsTransitively([[], [0], [1]], [0, 1, 2], [{ from: 2, to: 0 }, { from: 0, to: 2 }]); // [true, false]
 * ```
 */
export function needsTransitively(
  needs: readonly (readonly number[])[],
  order: readonly number[],
  queries: readonly NeedQuery[],
): boolean[] {
  const answers = queries.map((q) => needs[q.from]!.includes(q.to));
  const targets = [...new Set(queries.filter((_, i) => !answers[i]).map((q) => q.to))];
  const bit = new Uint32Array(needs.length);
  const reached = new Uint32Array(needs.length);
  for (let start = 0; start < targets.length; start += 32) {
    const chunk = targets.slice(start, start + 32);
    bit.fill(0);
    chunk.forEach((t, k) => {
      bit[t] = 1 << k;
    });
    // reached[i]: the chunk's targets that step i needs, directly or not.
    for (const i of order) {
      let mask = 0;
      for (const n of needs[i]!) mask |= reached[n]! | bit[n]!;
      reached[i] = mask;
    }
    queries.forEach((q, i) => {
      if (!answers[i] && bit[q.to] !== 0) answers[i] = (reached[q.from]! & bit[q.to]!) !== 0;
    });
  }
  return answers;
}
