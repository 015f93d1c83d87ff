/** The checks between steps: unique names, known needs, no cycles, templates that only read needs. */
import { findCycle, topologicalOrder } from "./graph.ts";
import { type NeedQuery, needsTransitively } from "./reachability.ts";
import { templateRefs } from "./template.ts";
import type { Problem } from "./types.ts";

/** What the checks look at in a step: its name, its needs as written, its text. */
export interface StepShape {
  name: string;
  needs: readonly string[];
  text: string;
}

/** Step names listed in full in an "expected one of" message; longer lists are cut. */
const LISTED_NAMES = 10;

/**
 * What is wrong between the steps of a well-shaped workflow: a name used twice (at the second
 * use), a need naming no step or the step itself, placeholders that are malformed or read a
 * step that is not among the step's needs (directly or through other steps), and one dependency
 * cycle (at its step that comes first in the file). O(steps + edges + template size), plus one
 * pass over the graph per 32 steps that templates read only through other steps.
 *
 * @example
 * ```ts
 * checkSteps([{ name: "a", needs: ["b"], text: "x" }, { name: "b", needs: ["a"], text: "y" }]);
 * // [{ path: ["steps", 0, "needs", 0], message: "dependency cycle: a -> b -> a (each step needs the next)" }]
 * ```
 */
export function checkSteps(steps: readonly StepShape[]): Problem[] {
  const problems: Problem[] = [];
  const index = new Map<string, number>();
  steps.forEach((step, i) => {
    const first = index.get(step.name);
    if (first === undefined) index.set(step.name, i);
    else
      problems.push({
        path: ["steps", i, "name"],
        message: `duplicate step name ${JSON.stringify(step.name)}; steps[${first}] has it already`,
      });
  });
  const expected = expectedNames([...index.keys()]);
  const needs = steps.map((step, i) => {
    const edges = new Set<number>();
    step.needs.forEach((name, j) => {
      const target = index.get(name);
      const path = ["steps", i, "needs", j];
      if (name === step.name) problems.push({ path, message: `step ${JSON.stringify(name)} needs itself` });
      else if (target === undefined)
        problems.push({ path, message: `unknown step ${JSON.stringify(name)}; expected one of ${expected}` });
      else edges.add(target);
    });
    return [...edges];
  });
  const queries: (NeedQuery & { name: string })[] = [];
  steps.forEach((step, i) => {
    const refs = templateRefs(step.text);
    const path = ["steps", i, "text"];
    for (const error of refs.errors) problems.push({ path, message: error });
    for (const name of refs.steps) {
      const target = index.get(name);
      if (target === undefined) {
        problems.push({ path, message: `uses steps.${name} but there is no step ${JSON.stringify(name)}` });
      } else if (target === i) {
        problems.push({ path, message: notANeed(name) });
      } else queries.push({ from: i, to: target, name });
    }
  });
  const { order, blocked } = topologicalOrder(needs);
  if (blocked.length > 0) {
    problems.push(cycleProblem(steps, needs, blocked));
    return problems;
  }
  needsTransitively(needs, order, queries).forEach((ok, k) => {
    const q = queries[k]!;
    if (!ok) problems.push({ path: ["steps", q.from, "text"], message: notANeed(q.name) });
  });
  return problems;
}

function notANeed(name: string): string {
  return `uses steps.${name} but ${name} is not among its needs (directly or through other steps)`;
}

/** The step names for "expected one of", cut after {@link LISTED_NAMES}. */
function expectedNames(names: readonly string[]): string {
  const listed = names.slice(0, LISTED_NAMES).join(", ");
  return names.length > LISTED_NAMES ? `${listed} (and ${names.length - LISTED_NAMES} more)` : listed;
}

/** How many steps of a cycle its error names before it only counts the rest. */
const LISTED_CYCLE = 20;

/** The error for one cycle among `blocked`, at the need of its first step that leads on round it. */
function cycleProblem(
  steps: readonly StepShape[],
  needs: readonly (readonly number[])[],
  blocked: number[],
): Problem {
  const cycle = findCycle(needs, blocked);
  const names = cycle.map((i) => steps[i]!.name);
  const first = steps[cycle[0]!]!;
  const next = names[1] ?? names[0]!;
  // a cycle through thousands of steps would be one line of as many names
  const long = names.length > LISTED_CYCLE;
  const shown = long
    ? `${names.slice(0, LISTED_CYCLE).join(" -> ")} -> ... ${names.length - LISTED_CYCLE} more -> ${names[0]}`
    : [...names, names[0]].join(" -> ");
  return {
    path: ["steps", cycle[0]!, "needs", first.needs.indexOf(next)],
    message: `dependency cycle${long ? ` of ${names.length} steps` : ""}: ${shown} (each step needs the next)`,
  };
}
