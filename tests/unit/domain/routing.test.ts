import { describe, expect, test } from "bun:test";
import { routeAgentType } from "../../../src/core/domain/routing.ts";

const rules = {
  routes: { review: "claude", "tag:docs": "gpt", "tag:ops": "shell", lint: "nope" },
  defaultAgent: "shell",
};
const known = ["shell", "claude", "gpt"];

describe("routeAgentType", () => {
  test("an agent type is taken as it is", () => {
    expect(routeAgentType({ type: "gpt", tags: ["ops"] }, rules, known)).toEqual({
      ok: true,
      value: "gpt",
    });
  });
  test("a task type goes by its route", () => {
    expect(routeAgentType({ type: "review" }, rules, known)).toEqual({ ok: true, value: "claude" });
  });
  test("the first tag with a route wins; without one, the default", () => {
    expect(routeAgentType({ tags: ["x", "docs", "ops"] }, rules, known)).toEqual({
      ok: true,
      value: "gpt",
    });
    expect(routeAgentType({ tags: ["x"] }, rules, known)).toEqual({ ok: true, value: "shell" });
    expect(routeAgentType({}, { routes: {}, defaultAgent: "claude" }, known)).toEqual({
      ok: true,
      value: "claude",
    });
  });
  test("an unknown type names what is expected", () => {
    const r = routeAgentType({ type: "fix" }, rules, known);
    expect(r).toEqual({
      ok: false,
      code: "bad_input",
      error:
        'unknown type "fix": expected an agent type (shell, claude, gpt) or a task type with a route (review, lint)',
    });
  });
  test("a route to an agent type that is not installed is an error naming the route", () => {
    const r = routeAgentType({ type: "lint" }, rules, known);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('the route for task type "lint" names agent type "nope"');
    expect(r.ok ? "" : r.code).toBe("not_found");
    const d = routeAgentType({}, { routes: {}, defaultAgent: "aider" }, known);
    if (d.ok) throw new Error("expected an error");
    expect(d.error).toContain('defaultAgent names agent type "aider"');
  });
});
