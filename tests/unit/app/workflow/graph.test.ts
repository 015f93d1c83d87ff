import { describe, expect, test } from "bun:test";
import { findCycle, topologicalOrder } from "../../../../src/core/app/workflow/graph.ts";
import {
  type StepStatus,
  stepGraph,
  stepVerdict,
  type Workflow,
  type WorkflowStep,
} from "../../../../src/core/app/workflow/index.ts";
import { MinHeap } from "../../../../src/core/app/workflow/min-heap.ts";
import { needsTransitively } from "../../../../src/core/app/workflow/reachability.ts";

function step(name: string, needs: string[] = []): WorkflowStep {
  return {
    name,
    type: null,
    text: "x",
    projects: null,
    priority: 3,
    timeoutSec: null,
    retries: null,
    needs,
    tags: [],
    host: null,
    labels: null,
  };
}

function workflow(...steps: WorkflowStep[]): Workflow {
  return { name: "w", steps };
}

describe("stepGraph", () => {
  test("order, dependents and needs", () => {
    const g = stepGraph(
      workflow(step("report", ["test", "lint"]), step("build"), step("test", ["build"]), step("lint")),
    );
    expect(g.order).toEqual(["build", "test", "lint", "report"]);
    expect(g.dependents).toEqual(
      new Map([
        ["report", []],
        ["build", ["test"]],
        ["test", ["report"]],
        ["lint", ["report"]],
      ]),
    );
    expect(g.needs.get("report")).toEqual(["test", "lint"]);
    expect(g.needs.get("build")).toEqual([]);
  });

  test("a file written in dependency order keeps its order", () => {
    const g = stepGraph(workflow(step("a"), step("b", ["a"]), step("c"), step("d", ["b", "c"])));
    expect(g.order).toEqual(["a", "b", "c", "d"]);
  });

  test("throws on what parseWorkflow refuses", () => {
    expect(() => stepGraph(workflow(step("a", ["b"]), step("b", ["a"])))).toThrow(
      "steps form a dependency cycle: a -> b -> a",
    );
    expect(() => stepGraph(workflow(step("a", ["zz"])))).toThrow('step a needs unknown step "zz"');
  });
});

describe("topologicalOrder and findCycle", () => {
  test("order by index where the needs allow", () => {
    expect(topologicalOrder([[1], [], [0]])).toEqual({ order: [1, 0, 2], blocked: [] });
    expect(topologicalOrder([[], [], []]).order).toEqual([0, 1, 2]);
  });

  test("steps on or after a cycle are blocked; the cycle starts at its lowest index", () => {
    const needs = [[1], [3], [1], [2]]; // 0 -> 1 -> 3 -> 2 -> 1
    const { order, blocked } = topologicalOrder(needs);
    expect(order).toEqual([]);
    expect(blocked).toEqual([0, 1, 2, 3]);
    expect(findCycle(needs, blocked)).toEqual([1, 3, 2]);
  });

  test("a self need is a cycle of one", () => {
    expect(findCycle([[0]], [0])).toEqual([0]);
  });
});

describe("needsTransitively", () => {
  test("direct, indirect, and not at all", () => {
    // 0 <- 1 <- 2, 3 alone
    const needs = [[], [0], [1], []];
    const queries = [
      { from: 2, to: 1 },
      { from: 2, to: 0 },
      { from: 0, to: 2 },
      { from: 3, to: 0 },
    ];
    expect(needsTransitively(needs, [0, 1, 2, 3], queries)).toEqual([true, true, false, false]);
  });

  test("more than 32 distinct targets are answered in several passes", () => {
    // A chain of 100: step i needs i - 1. Step 99 reads every other step; step 50 reads every step after it.
    const needs = Array.from({ length: 100 }, (_, i) => (i === 0 ? [] : [i - 1]));
    const order = needs.map((_, i) => i);
    const queries = [
      ...Array.from({ length: 99 }, (_, to) => ({ from: 99, to })),
      ...Array.from({ length: 49 }, (_, k) => ({ from: 50, to: 51 + k })),
    ];
    const answers = needsTransitively(needs, order, queries);
    expect(answers.slice(0, 99).every((a) => a)).toBe(true);
    expect(answers.slice(99).some((a) => a)).toBe(false);
  });
});

describe("stepVerdict", () => {
  const test1 = step("test", ["build", "lint"]);
  const statuses = (s: Record<string, StepStatus>) => (name: string) => s[name] ?? "pending";

  test.each([
    [{ build: "succeeded", lint: "succeeded" }, { kind: "start" }],
    [{ build: "succeeded", lint: "running" }, { kind: "wait" }],
    [{ build: "pending" }, { kind: "wait" }],
    [
      { build: "running", lint: "failed" },
      { kind: "skip", reason: "needs lint, which failed" },
    ],
    [
      { build: "skipped", lint: "failed" },
      { kind: "skip", reason: "needs build, which was skipped" },
    ],
    [
      { build: "succeeded", lint: "cancelled" },
      { kind: "skip", reason: "needs lint, which was cancelled" },
    ],
  ] as const)("%o -> %o", (s, verdict) => {
    expect(stepVerdict(test1, statuses(s))).toEqual(verdict);
  });

  test("a step that needs nothing starts", () => {
    expect(stepVerdict(step("a"), () => "failed")).toEqual({ kind: "start" });
  });
});

describe("MinHeap", () => {
  test("pops in ascending order", () => {
    const values = Array.from({ length: 500 }, (_, i) => (i * 7919) % 503);
    const heap = new MinHeap();
    for (const v of values) heap.push(v);
    const out: number[] = [];
    for (let v = heap.pop(); v !== undefined; v = heap.pop()) out.push(v);
    expect(out).toEqual([...values].sort((a, b) => a - b));
    expect(heap.size).toBe(0);
  });
});
