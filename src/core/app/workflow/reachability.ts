/** Whether one step is among another's needs, directly or through other steps, for many pairs at once. */

/** A question for {@link needsTransitively}: does step `from` need step `to`, directly or not? */
export interface NeedQuery {
  from: number;
  to: number;
}

type Needs = readonly (readonly number[])[];

/**
 * Answers each query for an acyclic graph given by index (`needs[i]`: what step `i` needs
 * directly; `order`: a topological order). Queries answered by a direct need cost nothing. The
 * others take one pass over the graph per step asked from (a search of everything it needs) or
 * one pass per 32 steps asked about (bit masks carried along `order`), whichever is fewer:
 * O((steps + edges) * min(sources, targets / 32)), so linear when a few steps read many or many
 * steps read a few.
 *
 * @example
 * ```ts
 * // 0 <- 1 <- 2 (2 needs 1, 1 needs 0)
 * needsTransitively([[], [0], [1]], [0, 1, 2], [{ from: 2, to: 0 }, { from: 0, to: 2 }]); // [true, false]
 * ```
 */
export function needsTransitively(
  needs: Needs,
  order: readonly number[],
  queries: readonly NeedQuery[],
): boolean[] {
  const answers = queries.map((q) => needs[q.from]!.includes(q.to));
  const open = queries.flatMap((_q, i) => (answers[i] ? [] : [i]));
  const sources = new Set(open.map((i) => queries[i]!.from)).size;
  const targets = new Set(open.map((i) => queries[i]!.to)).size;
  if (sources <= Math.ceil(targets / 32)) bySource(needs, queries, open, answers);
  else byTarget(needs, order, queries, open, answers);
  return answers;
}

/** One depth-first search per step asked from, marking what it needs. */
function bySource(needs: Needs, queries: readonly NeedQuery[], open: number[], answers: boolean[]): void {
  const groups = Map.groupBy(open, (i) => queries[i]!.from);
  const mark = new Int32Array(needs.length);
  let stamp = 0;
  for (const [from, group] of groups) {
    stamp++;
    const stack = [from];
    while (stack.length > 0) {
      for (const n of needs[stack.pop()!]!) {
        if (mark[n] !== stamp) {
          mark[n] = stamp;
          stack.push(n);
        }
      }
    }
    for (const i of group) answers[i] = mark[queries[i]!.to] === stamp;
  }
}

/** One pass along the order per 32 steps asked about: `reached[i]` has the bits of those step `i` needs. */
function byTarget(
  needs: Needs,
  order: readonly number[],
  queries: readonly NeedQuery[],
  open: number[],
  answers: boolean[],
): void {
  const targets = [...new Set(open.map((i) => queries[i]!.to))];
  const chunkOf = new Map(targets.map((t, k) => [t, Math.floor(k / 32)]));
  const groups = Map.groupBy(open, (i) => chunkOf.get(queries[i]!.to)!);
  const bit = new Uint32Array(needs.length);
  const reached = new Uint32Array(needs.length);
  for (const [chunk, group] of groups) {
    bit.fill(0);
    targets.slice(chunk * 32, chunk * 32 + 32).forEach((t, k) => {
      bit[t] = 1 << k;
    });
    for (const i of order) {
      let mask = 0;
      for (const n of needs[i]!) mask |= reached[n]! | bit[n]!;
      reached[i] = mask;
    }
    for (const i of group) {
      const { from, to } = queries[i]!;
      answers[i] = (reached[from]! & bit[to]!) !== 0;
    }
  }
}
