/** The seed's determine_agent_type: which agent type runs a submitted task. */

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
 * answer must be one of `known` (the loaded plugins).
 *
 * @example
 * ```ts
 * const rules = { routes: { review: "claude", "tag:docs": "gpt" }, defaultAgent: "shell" };
 * routeAgentType({ type: "review" }, rules, ["shell", "claude", "gpt"]); // { ok: true, agentType: "claude" }
 * routeAgentType({ tags: ["docs"] }, rules, ["shell", "claude", "gpt"]); // { ok: true, agentType: "gpt" }
 * routeAgentType({}, rules, ["shell", "claude", "gpt"]); // { ok: true, agentType: "shell" }
 * ```
 */
export function routeAgentType(
  req: RoutingRequest,
  rules: RoutingRules,
  known: readonly string[],
): { ok: true; agentType: string } | { ok: false; error: string } {
  const check = (agentType: string, via: string) =>
    known.includes(agentType)
      ? ({ ok: true, agentType } as const)
      : ({
          ok: false,
          error: `${via} names agent type "${agentType}", which is not installed (installed: ${known.join(", ")})`,
        } as const);
  if (req.type !== undefined) {
    if (known.includes(req.type)) return { ok: true, agentType: req.type };
    const routed = rules.routes[req.type];
    if (routed !== undefined) return check(routed, `the route for task type "${req.type}"`);
    const taskTypes = Object.keys(rules.routes).filter((k) => !k.startsWith("tag:"));
    return {
      ok: false,
      error: `unknown type "${req.type}": expected an agent type (${known.join(", ")})${
        taskTypes.length ? ` or a task type with a route (${taskTypes.join(", ")})` : ""
      }`,
    };
  }
  for (const tag of req.tags ?? []) {
    const routed = rules.routes[`tag:${tag}`];
    if (routed !== undefined) return check(routed, `the route for tag "${tag}"`);
  }
  return check(rules.defaultAgent, "defaultAgent");
}
