/** The seed's determine_agent_type: which agent type runs a submitted task. */
import { fail, ok, type Result } from "./result.ts";

/** What a submitted task says about itself. */
export interface RoutingRequest {
  /** An agent type, or a task type that a route maps to one. */
  type?: string;
  tags?: string[];
}

/** The routing part of the config. */
export interface RoutingRules {
  /** Task type, or `tag:NAME`, -> agent type. */
  routes: Record<string, string>;
  defaultAgent: string;
}

/**
 * Picks the agent type: `type` itself when it is an agent type, else the route of that task
 * type; without a type, the route of the first tag that has one; else the default. Every
 * answer must be one of `known` (the loaded plugins): a route to a type that is not installed
 * fails as `not_found`, a type that is neither an agent type nor routed as `bad_input`.
 *
 * @example
 * ```ts
 * const rules = { routes: { review: "claude", "tag:docs": "gpt" }, defaultAgent: "shell" };
 * routeAgentType({ type: "review" }, rules, ["shell", "claude", "gpt"]); // { ok: true, value: "claude" }
 * routeAgentType({ tags: ["docs"] }, rules, ["shell", "claude", "gpt"]); // { ok: true, value: "gpt" }
 * routeAgentType({}, rules, ["shell", "claude", "gpt"]); // { ok: true, value: "shell" }
 * ```
 */
export function routeAgentType(
  req: RoutingRequest,
  rules: RoutingRules,
  known: readonly string[],
): Result<string> {
  const check = (agentType: string, via: string): Result<string> =>
    known.includes(agentType)
      ? ok(agentType)
      : fail(
          "not_found",
          `${via} names agent type "${agentType}", which is not installed (installed: ${known.join(", ")})`,
        );
  if (req.type !== undefined) {
    if (known.includes(req.type)) return ok(req.type);
    const routed = rules.routes[req.type];
    if (routed !== undefined) return check(routed, `the route for task type "${req.type}"`);
    const taskTypes = Object.keys(rules.routes).filter((k) => !k.startsWith("tag:"));
    return fail(
      "bad_input",
      `unknown type "${req.type}": expected an agent type (${known.join(", ")})${
        taskTypes.length ? ` or a task type with a route (${taskTypes.join(", ")})` : ""
      }`,
    );
  }
  for (const tag of req.tags ?? []) {
    const routed = rules.routes[`tag:${tag}`];
    if (routed !== undefined) return check(routed, `the route for tag "${tag}"`);
  }
  return check(rules.defaultAgent, "defaultAgent");
}
