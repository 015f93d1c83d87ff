import { type RoutingRules, routeAgentType } from "../../domain/routing.ts";
import { wrongPathKind } from "../../store/path-kind.ts";
import type { Workflow, WorkflowError } from "../workflow/index.ts";

/**
 * What a workflow file cannot know by itself: that each step's type routes to an installed
 * agent type and that each project folder exists. One error per bad field, with its path.
 *
 * @example
 * ```ts
 * checkWorkflowTargets(workflow, "ci.yaml", ["shell"], { routes: {}, defaultAgent: "shell" });
 * // [] when every step runs on shell in folders that exist
 * ```
 */
export function checkWorkflowTargets(
  w: Workflow,
  file: string,
  known: readonly string[],
  rules: RoutingRules,
): WorkflowError[] {
  const errors: WorkflowError[] = [];
  const at = (path: string, message: string) =>
    errors.push({ file, line: null, column: null, path, message });
  const seen = new Map<string, string | null>();
  const notDir = (p: string) => {
    if (!seen.has(p)) seen.set(p, wrongPathKind("project directory", p, "directory"));
    return seen.get(p) ?? null;
  };
  w.steps.forEach((s, i) => {
    const route = routeAgentType({ ...(s.type ? { type: s.type } : {}), tags: s.tags }, rules, known);
    if (!route.ok) at(`steps[${i}].type`, route.error);
    // a step for another host names folders there: the host's worker start checks them
    if ((s.host && s.host !== "local") || s.labels) return;
    (s.projects ?? []).forEach((p, j) => {
      const why = notDir(p);
      if (why) at(`steps[${i}].projects[${j}]`, why);
    });
  });
  return errors;
}
