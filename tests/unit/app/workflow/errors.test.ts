import { describe, expect, test } from "bun:test";
import {
  formatPath,
  formatWorkflowError,
  formatWorkflowErrors,
  parseWorkflow,
  type WorkflowLimits,
} from "../../../../src/core/app/workflow/index.ts";

/** The errors of a file that must not parse, each as `formatWorkflowError` writes it. */
function errorsOf(source: string, file = "w.yaml", limits?: Partial<WorkflowLimits>): string[] {
  const r = parseWorkflow(source, { file, baseDir: "/work", limits });
  if (r.ok) throw new Error("expected errors, got a workflow");
  return r.error.map(formatWorkflowError);
}

describe("formatting", () => {
  test("the brief's example line", () => {
    const e = {
      file: "nightly.yaml",
      line: 12,
      column: 5,
      path: "steps[2].needs[0]",
      message: 'unknown step "bild"; expected one of build, test, report',
    };
    expect(formatWorkflowError(e)).toBe(
      'nightly.yaml:12:5: steps[2].needs[0]: unknown step "bild"; expected one of build, test, report',
    );
    expect(formatWorkflowError({ ...e, line: null, column: null, path: "" })).toBe(
      'nightly.yaml: unknown step "bild"; expected one of build, test, report',
    );
  });

  test("a refusal lists the first 20 errors and counts the rest", () => {
    const err = (i: number) => ({ file: "w.yaml", line: i, column: 1, path: `steps[${i}]`, message: "bad" });
    expect(formatWorkflowErrors([err(1), err(2)])).toBe(
      "w.yaml:1:1: steps[1]: bad\nw.yaml:2:1: steps[2]: bad",
    );
    const lines = formatWorkflowErrors(Array.from({ length: 10_000 }, (_, i) => err(i))).split("\n");
    expect(lines).toHaveLength(21);
    expect(lines[19]).toBe("w.yaml:19:1: steps[19]: bad");
    expect(lines[20]).toBe("... and 9980 more errors (10000 in all)");
    expect(formatWorkflowErrors(Array.from({ length: 20 }, (_, i) => err(i))).split("\n")).toHaveLength(20);
  });

  test("paths", () => {
    expect(formatPath(["steps", 2, "needs", 0])).toBe("steps[2].needs[0]");
    expect(formatPath(["defaults", "priority"])).toBe("defaults.priority");
    expect(formatPath(["steps", 0, "a b"])).toBe('steps[0]["a b"]');
    expect(formatPath([])).toBe("");
  });
});

describe("YAML and size errors", () => {
  test("a syntax error carries its line and column", () => {
    expect(errorsOf("steps:\n  - name: a\n    text: [x\n")).toEqual([
      "w.yaml:4:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ]);
  });

  test("a key given twice, more than one document, an unknown tag", () => {
    expect(errorsOf("steps: []\nsteps: []\n")).toEqual(["w.yaml:2:1: invalid YAML: Map keys must be unique"]);
    expect(errorsOf("steps: []\n---\nsteps: []\n")[0]).toStartWith(
      "w.yaml:2:1: invalid YAML: Source contains multiple documents",
    );
    expect(errorsOf("steps:\n  - {name: a, text: !cmd x}\n")).toEqual([
      "w.yaml:2:21: invalid YAML: Unresolved tag: !cmd",
    ]);
  });

  test("a file larger than maxFileBytes is refused before parsing", () => {
    expect(errorsOf("steps: [", "w.yaml", { maxFileBytes: 4 })).toEqual([
      "w.yaml: the file is 8 bytes: expected at most 4 bytes",
    ]);
  });

  test("more steps than maxSteps", () => {
    expect(
      errorsOf("steps:\n  - {name: a, text: x}\n  - {name: b, text: x}\n", "w.yaml", { maxSteps: 1 }),
    ).toEqual(["w.yaml:2:3: steps: 2 steps: expected at most 1"]);
  });

  test("a step's text longer than maxTaskBytes (UTF-8)", () => {
    expect(errorsOf("steps:\n  - {name: a, text: héé}\n", "w.yaml", { maxTaskBytes: 4 })).toEqual([
      "w.yaml:2:21: steps[0].text: task text is 5 bytes: expected at most 4 bytes (UTF-8)",
    ]);
  });

  test("an empty file or one that is not a mapping", () => {
    expect(errorsOf("")).toEqual(["w.yaml: null: expected a mapping with a steps list"]);
    expect(errorsOf("- a\n")).toEqual(["w.yaml:1:1: a list: expected a mapping with a steps list"]);
  });
});

describe("shape errors, all at once", () => {
  test("unknown keys name the key and the keys allowed, pointing at the key", () => {
    const src = "nme: x\ndefaults:\n  prio: high\nsteps:\n  - name: a\n    text: x\n    need: b\n";
    expect(errorsOf(src)).toEqual([
      'w.yaml:1:1: nme: unknown key "nme"; expected one of name, defaults, steps',
      'w.yaml:3:3: defaults.prio: unknown key "prio"; expected one of type, priority, timeout, retries, project',
      'w.yaml:7:5: steps[0].need: unknown key "need"; expected one of name, type, text, project, projects, needs, priority, timeout, retries, tags',
    ]);
  });

  test("wrong values name the value and what was expected", () => {
    const src = [
      "defaults: {priority: urgent, timeout: 0}",
      "steps:",
      "  - name: 'a b'",
      "    text: 5",
      "    retries: 1.5",
      "    needs: [3]",
      "  - name: b",
      "    text: '   '",
      "    projects: []",
      "    tags: ci",
      "    type: ''",
      "",
    ].join("\n");
    expect(errorsOf(src)).toEqual([
      'w.yaml:1:22: defaults.priority: unknown priority "urgent": expected one of critical, high, normal, low',
      "w.yaml:1:39: defaults.timeout: 0: expected a number of seconds > 0, at most 2073600 (24 days)",
      `w.yaml:3:11: steps[0].name: "a b": expected a step name: letters, digits, '_', '.' or '-' (at most 64), starting with a letter or digit`,
      "w.yaml:4:11: steps[0].text: 5: expected the task's text (a non-empty string)",
      "w.yaml:5:14: steps[0].retries: 1.5: expected a whole number of retries, 0 or more",
      "w.yaml:6:13: steps[0].needs[0]: 3: expected a step name or a list of step names",
      "w.yaml:8:11: steps[1].text: task text is empty or only whitespace: expected something to do",
      "w.yaml:9:15: steps[1].projects: an empty list: expected a non-empty list of project folders",
      'w.yaml:10:11: steps[1].tags: "ci": expected a list of tags',
      'w.yaml:11:11: steps[1].type: "": expected an agent or task type (a non-empty string)',
    ]);
  });

  test("a missing key points at the mapping that lacks it", () => {
    expect(errorsOf("steps:\n  - name: a\n")).toEqual([
      "w.yaml:2:5: steps[0].text: missing: expected the task's text (a non-empty string)",
    ]);
    expect(errorsOf("name: x\n")).toEqual(["w.yaml:1:1: steps: missing: expected a non-empty list of steps"]);
    expect(errorsOf("steps: []\n")).toEqual([
      "w.yaml:1:8: steps: an empty list: expected a non-empty list of steps",
    ]);
  });

  test("a step that is not a mapping", () => {
    expect(errorsOf("steps:\n  -\n  - [a]\n  - {name: a, text: x}\n")).toEqual([
      "w.yaml:2:4: steps[0]: null: expected a step (a mapping with name and text)",
      "w.yaml:3:5: steps[1]: a list: expected a step (a mapping with name and text)",
    ]);
  });

  test("an alias bomb is refused", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const [prev, name] of [
      ["a", "b"],
      ["b", "c"],
      ["c", "d"],
      ["d", "e"],
    ]) {
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    expect(errorsOf(`${levels.join("\n")}\nsteps: [*e]\n`)).toEqual([
      "w.yaml:1:1: invalid YAML: Excessive alias count indicates a resource exhaustion attack",
    ]);
  });

  test("project and projects together", () => {
    expect(errorsOf("steps:\n  - {name: a, text: x, project: p, projects: [q]}\n")).toEqual([
      "w.yaml:2:46: steps[0].projects: a step has either project (one folder) or projects (a list), not both",
    ]);
  });

  test("a control character in a step's text", () => {
    expect(errorsOf('steps:\n  - {name: a, text: "ls\\e[A"}\n')[0]).toContain(
      "steps[0].text: task text contains control character U+001B at offset 2",
    );
  });

  test("shape errors stop the checks between steps", () => {
    expect(errorsOf("steps:\n  - {name: a, text: x, needs: nope, timeout: -1}\n")).toEqual([
      "w.yaml:2:46: steps[0].timeout: -1: expected a number of seconds > 0, at most 2073600 (24 days)",
    ]);
  });

  test("positions work for JSON too", () => {
    const json = '{\n  "steps": [\n    {"name": "a", "text": "x", "priority": "asap"}\n  ]\n}\n';
    expect(errorsOf(json, "w.json")).toEqual([
      'w.json:3:44: steps[0].priority: unknown priority "asap": expected one of critical, high, normal, low',
    ]);
  });
});

describe("errors between steps", () => {
  test("the brief's example: an unknown need", () => {
    const src = [
      "steps:",
      "  - {name: build, text: make}",
      "  - {name: test, text: make test, needs: build}",
      "  - name: report",
      "    text: x",
      "    needs: [test, bild]",
      "",
    ].join("\n");
    expect(errorsOf(src, "nightly.yaml")).toEqual([
      'nightly.yaml:6:19: steps[2].needs[1]: unknown step "bild"; expected one of build, test, report',
    ]);
  });

  test("a long list of names is cut", () => {
    const steps = Array.from({ length: 12 }, (_, i) => `  - {name: s${i}, text: x}`).join("\n");
    expect(errorsOf(`steps:\n${steps}\n  - {name: z, text: x, needs: q}\n`)[0]).toEndWith(
      'unknown step "q"; expected one of s0, s1, s2, s3, s4, s5, s6, s7, s8, s9 (and 3 more)',
    );
  });

  test("a duplicate name points at the second step", () => {
    expect(errorsOf("steps:\n  - {name: a, text: x}\n  - {name: a, text: y}\n")).toEqual([
      'w.yaml:3:12: steps[1].name: duplicate step name "a"; steps[0] has it already',
    ]);
  });

  test("a step needing itself", () => {
    expect(errorsOf("steps:\n  - {name: a, text: x, needs: a}\n")).toEqual([
      'w.yaml:2:31: steps[0].needs[0]: step "a" needs itself',
    ]);
  });

  test("one cycle, written from the step first in the file, at its need that leads round", () => {
    const src = [
      "steps:",
      "  - {name: x, text: x, needs: c}",
      "  - {name: c, text: x, needs: [x, b]}",
      "  - {name: a, text: x, needs: [c]}",
      "  - {name: b, text: x, needs: a}",
      "",
    ].join("\n");
    expect(errorsOf(src)).toEqual([
      "w.yaml:2:31: steps[0].needs[0]: dependency cycle: x -> c -> x (each step needs the next)",
    ]);
    const longer =
      "steps:\n  - {name: p, text: x}\n  - {name: a, text: x, needs: [p, c]}\n  - {name: b, text: x, needs: a}\n  - {name: c, text: x, needs: b}\n";
    expect(errorsOf(longer)).toEqual([
      "w.yaml:3:35: steps[1].needs[1]: dependency cycle: a -> c -> b -> a (each step needs the next)",
    ]);
  });

  test("placeholders that are malformed, unknown, or read a step that is not a need", () => {
    const src = [
      "steps:",
      "  - {name: a, text: x}",
      "  - {name: b, text: x}",
      "  - name: c",
      "    needs: a",
      '    text: "{{ steps.a.output }} {{ steps.b.output }} {{ steps.c.status }} {{ steps.z.output }} {{ cwd }}"',
      "",
    ].join("\n");
    expect(errorsOf(src)).toEqual([
      'w.yaml:6:11: steps[2].text: {{ cwd }}: unknown placeholder "cwd"; expected project, steps.NAME.output, steps.NAME.outputs, steps.NAME.status or a "quoted" string',
      "w.yaml:6:11: steps[2].text: uses steps.c but c is not among its needs (directly or through other steps)",
      'w.yaml:6:11: steps[2].text: uses steps.z but there is no step "z"',
      "w.yaml:6:11: steps[2].text: uses steps.b but b is not among its needs (directly or through other steps)",
    ]);
  });

  test("a template may read any step its needs need, however far back", () => {
    const src = [
      "steps:",
      "  - {name: a, text: x}",
      "  - {name: b, text: x, needs: a}",
      "  - {name: other, text: x}",
      "  - {name: c, text: '{{ steps.a.output }} {{ steps.b.status }}', needs: b}",
      "  - {name: d, text: '{{ steps.a.output }}', needs: other}",
      "",
    ].join("\n");
    expect(errorsOf(src)).toEqual([
      "w.yaml:6:21: steps[4].text: uses steps.a but a is not among its needs (directly or through other steps)",
    ]);
  });

  test("all errors between steps are reported together", () => {
    const src = "steps:\n  - {name: a, text: x, needs: [a, q]}\n  - {name: a, text: '{{ nope }}'}\n";
    expect(errorsOf(src)).toHaveLength(4);
  });
});
