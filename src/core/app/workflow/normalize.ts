/** Turns a well-shaped workflow file into steps: defaults applied, project paths absolute. */
import { basename, extname, resolve } from "node:path";
import { DEFAULT_PRIORITY } from "../../domain/priority.ts";
import type { RawStep, RawWorkflow } from "./schema.ts";
import type { Problem, Workflow, WorkflowStep } from "./types.ts";

/**
 * The workflow a file describes: each step gets the `defaults` it does not set itself, project
 * paths are resolved against `baseDir` (string work only), repeated needs are dropped, and the
 * name defaults to the file's base name without its extension. A project listed twice in one
 * step (after resolving) is a problem.
 *
 * @example
 * ```ts
 * normalizeWorkflow({ defaults: { project: "a" }, steps: [{ name: "b", text: "make" }] }, "ci.yaml", "/w");
 * // { workflow: { name: "ci", steps: [{ name: "b", projects: ["/w/a"], priority: 3, ... }] }, problems: [] }
 * ```
 */
export function normalizeWorkflow(
  raw: RawWorkflow,
  file: string,
  baseDir: string,
): { workflow: Workflow; problems: Problem[] } {
  const problems: Problem[] = [];
  const d = raw.defaults ?? {};
  const steps = raw.steps.map((step, i): WorkflowStep => {
    const projects = stepProjects(step, d.project, baseDir);
    const seen = new Map<string, number>();
    projects?.forEach((project, j) => {
      const first = seen.get(project);
      if (first === undefined) seen.set(project, j);
      else {
        problems.push({
          path: ["steps", i, "projects", j],
          message: `project ${JSON.stringify(project)} is listed twice (also at projects[${first}])`,
        });
      }
    });
    return {
      name: step.name,
      type: step.type ?? d.type ?? null,
      text: step.text,
      projects,
      priority: step.priority ?? d.priority ?? DEFAULT_PRIORITY,
      timeoutSec: step.timeout ?? d.timeout ?? null,
      retries: step.retries ?? d.retries ?? null,
      needs: [...new Set(step.needs ?? [])],
      tags: step.tags ?? [],
      host: step.host ?? d.host ?? null,
      labels: step.labels ?? d.labels ?? null,
    };
  });
  const name = raw.name ?? (basename(file, extname(file)) || "workflow");
  return { workflow: { name, steps }, problems };
}

/** The step's absolute project folders: its `projects`, else its `project`, else the default one, else null. */
function stepProjects(step: RawStep, defaultProject: string | undefined, baseDir: string): string[] | null {
  const given = step.projects ?? step.project ?? defaultProject ?? null;
  if (given === null) return null;
  return (Array.isArray(given) ? given : [given]).map((p) => resolve(baseDir, p));
}
