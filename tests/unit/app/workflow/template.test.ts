import { describe, expect, test } from "bun:test";
import {
  renderStepText,
  type TemplateContext,
  templateRefs,
} from "../../../../src/core/app/workflow/index.ts";

const CTX: TemplateContext = {
  project: "/p/a",
  steps: {
    build: { status: "succeeded", outputs: ["built\n"] },
    "build-a.v2": { status: "succeeded", outputs: ["one\n\n", "two\r\n", "three"] },
    test: { status: "failed", outputs: ["it's ok\n"] },
    constructor: { status: "skipped" as const, outputs: [] },
  },
};

describe("templateRefs", () => {
  test("the steps read, once each, in order of first use", () => {
    expect(
      templateRefs("{{ steps.test.status }} {{steps.build.output}} {{ steps.test.outputs | json }}"),
    ).toEqual({
      steps: ["test", "build"],
      errors: [],
    });
  });

  test("a name runs up to the last .output, .outputs or .status", () => {
    expect(templateRefs("{{ steps.build-a.v2.output }}").steps).toEqual(["build-a.v2"]);
    expect(templateRefs("{{ steps.a.status.outputs }}").steps).toEqual(["a.status"]);
    expect(templateRefs("{{ steps.x.output.status }}").steps).toEqual(["x.output"]);
  });

  test("text without placeholders, and }} alone, are fine", () => {
    expect(templateRefs("awk '{print $1}}' { x }")).toEqual({ steps: [], errors: [] });
  });

  test.each([
    [
      "{{ cwd }}",
      '{{ cwd }}: unknown placeholder "cwd"; expected project, steps.NAME.output, steps.NAME.outputs, steps.NAME.status or a "quoted" string',
    ],
    [
      "{{ steps.build.out }}",
      '{{ steps.build.out }}: "steps.build.out": expected steps.NAME.output, steps.NAME.outputs or steps.NAME.status',
    ],
    ["{{ steps..output }}", '{{ steps..output }}: "steps..output": "" is not a step name'],
    [
      "{{ project | upper }}",
      '{{ project | upper }}: unknown filter "upper"; expected one of shell, json, trim',
    ],
    ["{{ project | }}", '{{ project | }}: unknown filter ""; expected one of shell, json, trim'],
    [
      "{{ project ",
      '{{ project : expected "}}" to close the placeholder, or "| filter"; write {{ "{{" }} for a literal "{{"',
    ],
    [
      "{{ project shell }}",
      '{{ project shell }}: expected "}}" to close the placeholder, or "| filter"; write {{ "{{" }} for a literal "{{"',
    ],
    ["a {{ }}", '{{ }}: "{{" does not start a placeholder; write {{ "{{" }} for a literal "{{"'],
    [
      '{{ "open }}',
      '{{ "open }}: unterminated or invalid "quoted" string; write {{ "{{" }} for a literal "{{"',
    ],
  ])("%p is an error", (template, error) => {
    expect(templateRefs(template).errors).toEqual([error]);
  });

  test("GitHub-style \u0024{{ ... }} is an error too, and every bad placeholder is reported", () => {
    expect(templateRefs("\u0024{{ secrets.TOKEN }} {{ project }} {{ x }}").errors).toHaveLength(2);
  });

  test("a run of braces: the last two open the placeholder", () => {
    expect(templateRefs("{{{ steps.a.output }}}")).toEqual({ steps: ["a"], errors: [] });
    expect(templateRefs("{{{{").errors).toHaveLength(1);
  });

  test("a text full of bad placeholders reports 20 and stops", () => {
    const errors = templateRefs("{{ x }}".repeat(1000)).errors;
    expect(errors).toHaveLength(21);
    expect(errors[20]).toBe("more than 20 bad placeholders; the rest are not checked");
  });
});

describe("renderStepText", () => {
  test("project, output, outputs and status", () => {
    expect(
      renderStepText("cd {{ project }} && cat <<< {{ steps.build.output }} # {{ steps.test.status }}", CTX),
    ).toBe("cd /p/a && cat <<< built # failed");
    expect(renderStepText("[{{ project }}]", { ...CTX, project: null })).toBe("[]");
  });

  test("outputs lose their trailing newlines and are joined with one newline", () => {
    expect(renderStepText("{{ steps.build-a.v2.output }}", CTX)).toBe("one\ntwo\nthree");
    expect(renderStepText("{{ steps.build-a.v2.outputs }}", CTX)).toBe("one\ntwo\nthree");
    expect(renderStepText("{{steps.constructor.output}}|{{steps.constructor.status}}", CTX)).toBe("|skipped");
  });

  test("filters: shell, json, trim, chained left to right", () => {
    expect(renderStepText("echo {{ steps.test.output | shell }}", CTX)).toBe("echo 'it'\\''s ok'");
    expect(renderStepText("{{ steps.build-a.v2.output|json }}", CTX)).toBe('"one\\ntwo\\nthree"');
    expect(renderStepText('<{{ " x " | trim }}>', CTX)).toBe("<x>");
    expect(renderStepText('{{ " a\'b " | trim | shell | json }}', CTX)).toBe(JSON.stringify("'a'\\''b'"));
  });

  test("the shell filter quotes so that sh reads the value back unchanged", () => {
    const value = 'it\'s $HOME `x` "q" \\ \n end';
    const script = renderStepText("printf %s {{ steps.v.output | shell }}", {
      project: null,
      steps: { v: { status: "succeeded", outputs: [value] } },
    });
    const out = Bun.spawnSync(["sh", "-c", script]).stdout.toString();
    expect(out).toBe(value);
  });

  test("literal braces", () => {
    expect(renderStepText('echo {{ "{{" }} x }}', CTX)).toBe("echo {{ x }}");
    expect(renderStepText("{{{ project }}}", CTX)).toBe("{/p/a}");
  });

  test("a template parseWorkflow would refuse, or a step not given, throws", () => {
    expect(() => renderStepText("{{ nope }}", CTX)).toThrow(
      'cannot render step text: {{ nope }}: unknown placeholder "nope"',
    );
    expect(() => renderStepText("{{ steps.deploy.output }}", CTX)).toThrow(
      "cannot render steps.deploy.output: no step deploy given; have build, build-a.v2, test, constructor",
    );
    expect(() => renderStepText("{{ steps.toString.output }}", CTX)).toThrow("no step toString given");
  });
});
