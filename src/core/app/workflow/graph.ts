/** The step graph: a topological order, who needs whom, and dependency cycles. */
import { MinHeap } from "./min-heap.ts";
import type { Workflow } from "./types.ts";

/** The graph of a workflow, built once; the caller keeps it for the whole run. */
export interface StepGraph {
  /** Every step once, each after all it needs; file order wherever the needs allow it. */
  order: string[];
  /** For each step, the steps that need it directly, in file order. */
  dependents: Map<string, string[]>;
  /** For each step, the steps it needs directly. */
  needs: Map<string, string[]>;
}

/**
 * A topological order of steps given by index, `needs[i]` being the indexes step `i` needs
 * (no repeats). Of the steps that are ready, the one first in the file comes first, so a file
 * written in dependency order keeps its order. `blocked` lists the steps left out: those on a
 * cycle or after one. O((steps + edges) log steps).
 *
 * @example
 * ```ts
 * topologicalOrder([[1], [], [0]]); // { order: [1, 0, 2], blocked: [] }
 * topologicalOrder([[1], [0]]); // { order: [], blocked: [0, 1] }
 * ```
 */
export function topologicalOrder(needs: readonly (readonly number[])[]): {
  order: number[];
  blocked: number[];
} {
  const waiting = needs.map((n) => n.length);
  const dependents: number[][] = needs.map(() => []);
  needs.forEach((list, i) => {
    for (const n of list) dependents[n]!.push(i);
  });
  const ready = new MinHeap();
  waiting.forEach((count, i) => {
    if (count === 0) ready.push(i);
  });
  const order: number[] = [];
  for (let i = ready.pop(); i !== undefined; i = ready.pop()) {
    order.push(i);
    for (const d of dependents[i]!) if (--waiting[d]! === 0) ready.push(d);
  }
  const blocked = order.length === needs.length ? [] : waiting.flatMap((count, i) => (count > 0 ? [i] : []));
  return { order, blocked };
}

/**
 * One dependency cycle among `blocked` steps (as {@link topologicalOrder} gives them), as
 * indexes where each needs the next and the last needs the first, starting at its step that
 * comes first in the file. O(steps).
 *
 * @example
 * ```ts
 * findCycle([[1], [2], [1]], [0, 1, 2]); // [1, 2] (1 needs 2, 2 needs 1; 0 only waits on them)
 * ```
 */
export function findCycle(needs: readonly (readonly number[])[], blocked: readonly number[]): number[] {
  const isBlocked = new Set(blocked);
  const seenAt = new Map<number, number>();
  const walk: number[] = [];
  // Every blocked step needs a blocked step, so walking those needs must come back to a step seen before.
  for (let at = blocked[0]; at !== undefined; at = needs[at]!.find((n) => isBlocked.has(n))) {
    const seen = seenAt.get(at);
    if (seen !== undefined) {
      const cycle = walk.slice(seen);
      const first = cycle.reduce((best, step, i) => (step < cycle[best]! ? i : best), 0);
      return [...cycle.slice(first), ...cycle.slice(0, first)];
    }
    seenAt.set(at, walk.length);
    walk.push(at);
  }
  return [];
}

/**
 * Builds the graph of a validated workflow. Throws an Error if a step needs an unknown step or
 * the needs form a cycle, which `parseWorkflow` does not let through.
 *
 * @example
 * ```ts
 * const g = stepGraph(workflow); // build; test needs build; report needs test
 * g.order; // ["build", "test", "report"]
 * g.dependents.get("build"); // ["test"]
 * g.needs.get("report"); // ["test"]
 * ```
 */
export function stepGraph(w: Workflow): StepGraph {
  const index = new Map(w.steps.map((step, i) => [step.name, i]));
  const dependents = new Map<string, string[]>(w.steps.map((step) => [step.name, []]));
  const needs = w.steps.map((step) =>
    step.needs.map((name) => {
      const i = index.get(name);
      if (i === undefined) throw new Error(`step ${step.name} needs unknown step ${JSON.stringify(name)}`);
      dependents.get(name)!.push(step.name);
      return i;
    }),
  );
  const { order, blocked } = topologicalOrder(needs);
  if (blocked.length > 0) {
    const cycle = findCycle(needs, blocked).map((i) => w.steps[i]!.name);
    throw new Error(`steps form a dependency cycle: ${[...cycle, cycle[0]].join(" -> ")}`);
  }
  return {
    order: order.map((i) => w.steps[i]!.name),
    dependents,
    needs: new Map(w.steps.map((step) => [step.name, [...step.needs]])),
  };
}
