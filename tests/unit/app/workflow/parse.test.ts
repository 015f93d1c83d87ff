import { describe, expect, test } from "bun:test";
import { parseWorkflow, type Workflow, type WorkflowStep } from "../../../../src/core/app/workflow/index.ts";

const OPTS = { file: "nightly.yaml", baseDir: "/work" };

/** The workflow, or a failed expectation listing the errors. */
function parsed(source: string, opts: Parameters<typeof parseWorkflow>[1] = OPTS): Workflow {
  const r = parseWorkflow(source, opts);
  if (!r.ok) throw new Error(`expected a workflow, got errors: ${JSON.stringify(r.error)}`);
  return r.value;
}

function step(over: Partial<WorkflowStep> & { name: string; text: string }): WorkflowStep {
  return {
    type: null,
    projects: null,
    priority: 3,
    timeoutSec: null,
    retries: null,
    needs: [],
    tags: [],
    host: null,
    labels: null,
    ...over,
  };
}

const EXAMPLE = `name: nightly
defaults:
  type: shell
  priority: normal
  timeout: 60
  retries: 1
  project: ./projects/a
steps:
  - name: build
    type: shell
    text: make
    project: ./projects/a
  - name: test
    needs: [build]
    projects: [./projects/a, ./projects/b]
    text: "make test   # in {{ project }}"
    priority: high
    timeout: 120
    retries: 2
    tags: [ci]
  - name: report
    needs: test
    text: "echo {{ steps.test.output | shell }} > report.txt"
`;

describe("parseWorkflow: valid files", () => {
  test("the example file, defaults applied and projects made absolute", () => {
    const common = { type: "shell", timeoutSec: 60, retries: 1, projects: ["/work/projects/a"] };
    expect(parsed(EXAMPLE)).toEqual({
      name: "nightly",
      steps: [
        step({ ...common, name: "build", text: "make" }),
        step({
          ...common,
          name: "test",
          text: "make test   # in {{ project }}",
          needs: ["build"],
          projects: ["/work/projects/a", "/work/projects/b"],
          priority: 2,
          timeoutSec: 120,
          retries: 2,
          tags: ["ci"],
        }),
        step({
          ...common,
          name: "report",
          text: "echo {{ steps.test.output | shell }} > report.txt",
          needs: ["test"],
        }),
      ],
    });
  });

  test("host and labels: a step's own, else the defaults'", () => {
    const w = parsed(`defaults:
  labels: { gpu: "1" }
steps:
  - name: a
    text: x
    host: build-1
  - name: b
    text: y
    labels: { zone: eu }
`);
    expect(w.steps.map((s) => [s.host, s.labels])).toEqual([
      ["build-1", { gpu: "1" }],
      [null, { zone: "eu" }],
    ]);
  });

  test("the same structure in JSON gives the same workflow", () => {
    const json = JSON.stringify(Bun.YAML.parse(EXAMPLE));
    expect(parsed(json, { file: "nightly.json", baseDir: "/work" })).toEqual(parsed(EXAMPLE));
  });

  test("without defaults or options a step has nulls, normal priority and no needs", () => {
    expect(parsed("steps:\n  - name: a\n    text: x\n").steps).toEqual([step({ name: "a", text: "x" })]);
  });

  test("the name defaults to the file's base name without its extension", () => {
    const src = "steps: [{name: a, text: x}]";
    expect(parsed(src, { file: "/etc/flows/ci.nightly.yml", baseDir: "/" }).name).toBe("ci.nightly");
    expect(parsed(src, { file: "deploy", baseDir: "/" }).name).toBe("deploy");
    expect(parsed(`name: "Nightly build"\n${src}`).name).toBe("Nightly build");
  });

  test("priority names ignore letter case; defaults apply only where a step sets nothing", () => {
    const w = parsed(
      "defaults: {priority: LOW, type: claude}\nsteps:\n  - {name: a, text: x, priority: Critical}\n  - {name: b, text: y}\n",
    );
    expect(w.steps.map((s) => [s.priority, s.type])).toEqual([
      [1, "claude"],
      [4, "claude"],
    ]);
  });

  test("a step's own project or projects wins over the default project", () => {
    const w = parsed(
      "defaults: {project: /srv/d}\nsteps:\n  - {name: a, text: x}\n  - {name: b, text: x, project: b}\n  - {name: c, text: x, projects: [/abs, ../up]}\n",
    );
    expect(w.steps.map((s) => s.projects)).toEqual([["/srv/d"], ["/work/b"], ["/abs", "/up"]]);
  });

  test("needs as one string or a list; repeats dropped; names with dots and dashes", () => {
    const w = parsed(
      "steps:\n  - {name: build-a.1, text: x}\n  - {name: b_2, text: y, needs: build-a.1}\n  - {name: c, text: z, needs: [b_2, build-a.1, b_2]}\n",
    );
    expect(w.steps.map((s) => s.needs)).toEqual([[], ["build-a.1"], ["b_2", "build-a.1"]]);
  });

  test("YAML anchors and aliases work", () => {
    const w = parsed("steps:\n  - {name: a, text: &t make all}\n  - {name: b, text: *t, needs: a}\n");
    expect(w.steps[1]!.text).toBe("make all");
  });

  test("limits can be raised and lowered", () => {
    const src = "steps:\n  - {name: a, text: abcd}\n  - {name: b, text: x}\n";
    expect(parseWorkflow(src, { ...OPTS, limits: { maxSteps: 2, maxTaskBytes: 4 } }).ok).toBe(true);
    expect(parseWorkflow(src, { ...OPTS, limits: { maxSteps: 1 } }).ok).toBe(false);
    expect(parseWorkflow(src, { ...OPTS, limits: { maxTaskBytes: 3 } }).ok).toBe(false);
    expect(parseWorkflow(src, { ...OPTS, limits: { maxFileBytes: src.length - 1 } }).ok).toBe(false);
  });

  test("a file that does not parse is a bad_input failure carrying every located error", () => {
    const r = parseWorkflow("steps:\n  - name: a\n    text: x\n    needs: b\n", OPTS);
    expect(r).toEqual({
      ok: false,
      code: "bad_input",
      error: [
        {
          file: OPTS.file,
          line: 4,
          column: 12,
          path: "steps[0].needs[0]",
          message: expect.stringContaining('unknown step "b"'),
        },
      ],
    });
  });

  test("a bad limit is a bug of the caller and throws", () => {
    expect(() => parseWorkflow("steps: []", { ...OPTS, limits: { maxSteps: 0 } })).toThrow(
      "workflow limit maxSteps=0: expected a whole number >= 1",
    );
  });
});
