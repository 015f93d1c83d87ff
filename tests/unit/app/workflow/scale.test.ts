import { describe, expect, test } from "bun:test";
import { parseWorkflow, stepGraph } from "../../../../src/core/app/workflow/index.ts";

const N = 10_000;

/** Parses, builds the graph, and prints how long that took (measured, not asserted). */
function parseAndMeasure(label: string, source: string) {
  const start = performance.now();
  const r = parseWorkflow(source, { file: `${label}.yaml`, baseDir: "/work" });
  const parsedAt = performance.now();
  if (!r.ok) throw new Error(`expected a workflow: ${JSON.stringify(r.error.slice(0, 3))}`);
  const graph = stepGraph(r.value);
  const ms = (t: number) => `${t.toFixed(0)} ms`;
  console.log(
    `${label}: ${N} steps, ${(source.length / 1024).toFixed(0)} KiB: parse+validate ${ms(parsedAt - start)}, graph ${ms(performance.now() - parsedAt)}`,
  );
  return { workflow: r.value, graph };
}

describe("10,000 steps", () => {
  test("a chain, each step reading the one before and the first", () => {
    let src = "steps:\n  - name: s0\n    text: echo 0\n";
    for (let i = 1; i < N; i++) {
      src += `  - name: s${i}\n    needs: s${i - 1}\n    text: "echo {{ steps.s${i - 1}.output | shell }} {{ steps.s0.status }}"\n`;
    }
    const { workflow, graph } = parseAndMeasure("chain", src);
    expect(workflow.steps).toHaveLength(N);
    expect(graph.order[0]).toBe("s0");
    expect(graph.order[N - 1]).toBe(`s${N - 1}`);
    expect(graph.dependents.get("s0")).toEqual(["s1"]);
  });

  test("a fan-in: one step needing 10,000", () => {
    let src = "steps:\n";
    for (let i = 0; i < N; i++) src += `  - {name: s${i}, text: echo ${i}}\n`;
    src += `  - name: all\n    needs: [${Array.from({ length: N }, (_, i) => `s${i}`).join(", ")}]\n    text: "{{ steps.s5.output }}"\n`;
    const { workflow, graph } = parseAndMeasure("fan-in", src);
    expect(workflow.steps).toHaveLength(N + 1);
    expect(graph.order.at(-1)).toBe("all");
    expect(graph.needs.get("all")).toHaveLength(N);
  });

  test("a chain whose last step reads 10,000 earlier steps through others (many reachability passes)", () => {
    let src = "steps:\n  - {name: s0, text: x}\n";
    for (let i = 1; i < N; i++) src += `  - {name: s${i}, needs: s${i - 1}, text: x}\n`;
    const reads = Array.from({ length: N - 1 }, (_, i) => `{{ steps.s${i}.status }}`).join(" ");
    src += `  - {name: last, needs: s${N - 1}, text: "${reads}"}\n`;
    const { workflow } = parseAndMeasure("chain-reads", src);
    expect(workflow.steps.at(-1)!.needs).toEqual([`s${N - 1}`]);
  });

  test("a 10,000-step cycle is found and reported once", () => {
    let src = `steps:\n  - {name: s0, needs: s${N - 1}, text: x}\n`;
    for (let i = 1; i < N; i++) src += `  - {name: s${i}, needs: s${i - 1}, text: x}\n`;
    const r = parseWorkflow(src, { file: "cycle.yaml", baseDir: "/work" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toHaveLength(1);
    expect(r.error[0]!.path).toBe("steps[0].needs[0]");
    const message = r.error[0]!.message;
    expect(message).toStartWith("dependency cycle of 10000 steps: s0 -> s9999 -> s9998 -> ");
    // the first 20 steps and a count, not one line of 10,000 names (it was 89 KB)
    expect(message).toContain(" -> s9981 -> ... 9980 more -> s0 (each step needs the next)");
    expect(message.length).toBeLessThan(400);
  });
});
