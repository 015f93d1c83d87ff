import { z } from "zod";
import { intParam } from "../../controller/api-http.ts";
import type { ExtensionFactory } from "../../controller/extension.ts";
import { idKeyProblem, resolveIdKey } from "../../controller/id-keys.ts";
import { RUN_ID_SHORT_MIN, shortestUniquePrefix } from "../../domain/id-prefix.ts";
import { fail, ok, type Result } from "../../domain/result.ts";
import type { RunRecord, Store } from "../../store/index.ts";
import { parseReportFormat, renderReport } from "../report/index.ts";
import { formatWorkflowErrors, parseWorkflow } from "../workflow/index.ts";
import { RunEngine } from "./run-engine.ts";
import { reportInput, runJson, runView } from "./run-view.ts";
import { checkWorkflowTargets } from "./targets.ts";
import { RunWatchers } from "./watchers.ts";

const startBody = z.strictObject({
  source: z.string(),
  file: z.string().min(1),
  baseDir: z.string().min(1),
  cwd: z.string().min(1).optional(),
});

const json = (v: unknown, status = 200) => Response.json(v, { status });
const problem = (status: number, error: string, extra: Record<string, unknown> = {}) =>
  json({ error, ...extra }, status);
const HTTP = { bad_input: 400, not_found: 404, conflict: 409, unavailable: 503 } as const;

/**
 * Workflow runs in the daemon: `POST /v1/runs` (a workflow file's text), `GET /v1/runs`,
 * `GET /v1/runs/ID[?wait=MS&since=N]` (long-polls for a change), `POST /v1/runs/ID/cancel`,
 * `GET /v1/runs/ID/report?format=md|json|html`. RUN may be a unique id prefix or `last`.
 */
export const workflowRuns: ExtensionFactory = ({ controller, store, config, logger }) => {
  const engine = new RunEngine(store, controller, logger);
  const watchers = new RunWatchers();
  engine.onChange((id) => watchers.bump(id));
  const unsubscribe = controller.onTask((t, what) => {
    if (what === "final") engine.onTaskFinal(t);
    else if (t.runId) watchers.bump(t.runId);
  });
  return {
    name: "workflow-runs",
    start: () => engine.resume(),
    stop: () => {
      unsubscribe();
      watchers.releaseAll();
    },
    async route(req, parts, url) {
      const [, res, id, sub] = parts;
      if (res !== "runs") return null;
      if (!id && req.method === "POST") {
        let raw: unknown;
        try {
          raw = await req.json();
        } catch {
          return problem(400, "request body is not JSON");
        }
        const b = startBody.safeParse(raw);
        if (!b.success)
          return problem(400, b.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
        const parsed = parseWorkflow(b.data.source, {
          file: b.data.file,
          baseDir: b.data.baseDir,
          limits: { maxSteps: config.maxWorkflowSteps, maxTaskBytes: config.maxTaskBytes },
        });
        const errors = parsed.ok
          ? checkWorkflowTargets(parsed.value, b.data.file, controller.agentTypes(), config)
          : parsed.error;
        if (errors.length || !parsed.ok) {
          return problem(400, formatWorkflowErrors(errors), { errors });
        }
        const run = engine.start(parsed.value, b.data.file, b.data.cwd ?? b.data.baseDir);
        return json(runJson(run), 201);
      }
      if (!id && req.method === "GET") {
        const limit = intParam(url, "limit", 1, 100_000);
        if (!limit.ok) return limit.error;
        // with the short id `orch runs` shows: the shortest unique prefix, 8 characters or more
        const shown = (r: RunRecord) => ({
          ...runJson(r),
          shortId: shortestUniquePrefix(r.id, store.runs.ids.around(r.id), RUN_ID_SHORT_MIN),
        });
        return json(store.runs.list({ limit: limit.value ?? 50 }).map(shown));
      }
      if (!id) return null;
      const run = findRun(store, id);
      if (!run.ok) return run.error;
      const runId = run.value;
      if (!sub && req.method === "GET") {
        const wait = Math.min(Number(url.searchParams.get("wait") ?? "0") || 0, 60_000);
        const since = Number(url.searchParams.get("since") ?? "-1");
        if (wait > 0) await watchers.wait(runId, since, wait);
        return json({ ...runView(store, store.runs.get(runId)!), version: watchers.version(runId) });
      }
      if (sub === "cancel" && req.method === "POST") {
        const r = engine.cancel(runId);
        return r.ok ? json(r.value) : problem(HTTP[r.code], r.error);
      }
      if (sub === "report" && req.method === "GET") {
        const f = parseReportFormat(url.searchParams.get("format") ?? "md");
        if (!f.ok) return problem(400, f.error);
        const text = renderReport(reportInput(store, store.runs.get(runId)!), f.value);
        const type = { md: "text/markdown", json: "application/json", html: "text/html" }[f.value];
        return new Response(text, { headers: { "content-type": `${type}; charset=utf-8` } });
      }
      return null;
    },
  };
};

/**
 * The id of a run by id, unique id prefix (any case, dashes optional, 4 hex digits or more), or
 * `last` (the newest); or the answer that says why there is none.
 */
function findRun(store: Store, key: string): Result<string, Response> {
  if (key === "last") {
    const last = store.runs.list({ limit: 1 })[0];
    return last
      ? ok(last.id)
      : fail("not_found", json({ error: "no workflow runs yet", code: "not_found" }, 404));
  }
  const r = resolveIdKey(store.runs.ids, key, "run", "orch runs");
  return r.ok ? r : fail(r.code, json(idKeyProblem(r), HTTP[r.code]));
}
