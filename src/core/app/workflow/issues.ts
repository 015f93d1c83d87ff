/** Turns zod's issues about a workflow file into problems at data paths. */
import type { z } from "zod";
import { WORKFLOW_KEYS } from "./schema.ts";
import type { DataPath, Problem } from "./types.ts";

/** The keys allowed in the mapping at `path`, or null for a mapping the schema does not know. */
function allowedKeys(path: DataPath): readonly string[] | null {
  if (path.length === 0) return WORKFLOW_KEYS.top;
  if (path.length === 1 && path[0] === "defaults") return WORKFLOW_KEYS.defaults;
  if (path.length === 2 && path[0] === "steps" && typeof path[1] === "number") return WORKFLOW_KEYS.step;
  return null;
}

/**
 * One problem per zod issue, except that an issue about unknown keys becomes one problem per
 * key, pointing at the key and naming the keys allowed there.
 *
 * @example
 * ```ts
 * problemsFromIssues([{ code: "unrecognized_keys", keys: ["prio"], path: ["steps", 1], message: "", input: {} }]);
 * // [{ path: ["steps", 1, "prio"], atKey: true,
 * //    message: 'unknown key "prio"; expected one of name, type, text, project, projects, needs, priority, timeout, retries, tags' }]
 * ```
 */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[]): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path.map((s) => (typeof s === "symbol" ? String(s) : s));
    if (issue.code !== "unrecognized_keys") {
      problems.push({ path, message: issue.message });
      continue;
    }
    const allowed = allowedKeys(path);
    const expected = allowed ? `; expected one of ${allowed.join(", ")}` : "";
    for (const key of issue.keys) {
      problems.push({
        path: [...path, key],
        atKey: true,
        message: `unknown key ${JSON.stringify(key)}${expected}`,
      });
    }
  }
  return problems;
}
