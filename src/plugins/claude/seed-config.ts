/**
 * Claude Code's own config (`~/.claude.json`), merged so the agent starts without dialogs:
 * onboarding done, the API key in the environment approved, the project folder trusted.
 * Only missing entries are added; whatever the user set stays as it is.
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The merged content of `~/.claude.json` for a worker in `project`, or null when it needs no
 * change. Throws when the existing file is not a JSON object (orch will not rewrite it).
 *
 * @example
 * mergeClaudeJson({}, "/src/app", "sk-ant-...XYZ");
 * // { hasCompletedOnboarding: true, theme: "dark", customApiKeyResponses: { approved: ["...last 20"], rejected: [] },
 * //   projects: { "/src/app": { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true, allowedTools: [] } } }
 */
export function mergeClaudeJson(existing: Json, project: string, apiKey: string | undefined): Json | null {
  const out: Json = { ...existing };
  let changed = false;
  if (out.hasCompletedOnboarding === undefined) {
    out.hasCompletedOnboarding = true;
    changed = true;
  }
  if (out.theme === undefined) {
    out.theme = "dark"; // else the first start asks for one
    changed = true;
  }
  if (apiKey) {
    const tail = apiKey.slice(-20);
    const responses = isObject(out.customApiKeyResponses) ? { ...out.customApiKeyResponses } : {};
    const approved = Array.isArray(responses.approved) ? [...responses.approved] : [];
    const rejected = Array.isArray(responses.rejected) ? responses.rejected : [];
    if (!approved.includes(tail) && !rejected.includes(tail)) {
      approved.push(tail);
      out.customApiKeyResponses = { ...responses, approved, rejected };
      changed = true;
    }
  }
  const projects = isObject(out.projects) ? { ...out.projects } : {};
  const entry = isObject(projects[project]) ? { ...(projects[project] as Json) } : {};
  if (entry.hasTrustDialogAccepted === undefined) {
    entry.hasTrustDialogAccepted = true;
    if (entry.hasCompletedProjectOnboarding === undefined) entry.hasCompletedProjectOnboarding = true;
    if (entry.allowedTools === undefined) entry.allowedTools = [];
    projects[project] = entry;
    out.projects = projects;
    changed = true;
  }
  return changed ? out : null;
}

/**
 * The object in a `~/.claude.json`'s text (`file` names it in the error); {} when there is no
 * file or it is empty. Throws when it is not a JSON object (orch will not rewrite it).
 */
export function parseClaudeJson(text: string | null, file: string): Json {
  if (text === null || !text.trim()) return {};
  const v: unknown = JSON.parse(text);
  if (!isObject(v)) throw new Error(`${file} is not a JSON object; orch leaves it alone`);
  return v;
}
