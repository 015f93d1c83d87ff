import { errorMessage } from "../domain/result.ts";
import { serveUnix } from "../runtime/serve-unix.ts";
import { json, problem } from "./api-http.ts";
import { type ApiInfo, ROUTES, type Route, type RouteCall } from "./api-routes.ts";
import type { Controller } from "./controller.ts";
import type { ControllerExtension } from "./extension.ts";

export type { ApiInfo } from "./api-routes.ts";

/** A route's path as segments: a literal, or `{ param }` for `:param`. */
type Pattern = (string | { param: string })[];

function compile(path: string): Pattern {
  return path
    .split("/")
    .filter(Boolean)
    .map((s) => (s.startsWith(":") ? { param: s.slice(1) } : s));
}

/** The path's parameters when `parts` fits `pattern`, else null. */
function fit(pattern: Pattern, parts: readonly string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (const [i, p] of pattern.entries()) {
    if (typeof p === "string") {
      if (p !== parts[i]) return null;
    } else params[p.param] = parts[i]!;
  }
  return params;
}

/**
 * The route for `method` and the decoded path `parts`, with its parameters; null when none.
 *
 * @example
 * ```ts
 * matchRoute(ROUTES, "GET", ["v1", "tasks", "0190"]); // { route: {path: "/v1/tasks/:id", ...}, params: { id: "0190" } }
 * ```
 */
export function matchRoute(
  routes: readonly Route[],
  method: string,
  parts: readonly string[],
): { route: Route; params: Record<string, string> } | null {
  for (const route of routes) {
    if (route.method !== method) continue;
    const params = fit(compiled(route), parts);
    if (params) return { route, params };
  }
  return null;
}

const patterns = new WeakMap<Route, Pattern>();
function compiled(route: Route): Pattern {
  let p = patterns.get(route);
  if (!p) {
    p = compile(route.path);
    patterns.set(route, p);
  }
  return p;
}

/** The path's segments, percent-decoded (empty ones dropped); null when one is badly encoded. */
function pathParts(pathname: string): string[] | null {
  try {
    return pathname.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return null;
  }
}

/**
 * The controller's local HTTP+JSON API on a Unix socket (mode 0600). The CLI is its client.
 * A request goes to the extensions first (each may answer it), then to the route table
 * {@link ROUTES} (api-routes.ts). A store that cannot be written answers 503 naming why (disk
 * full, damaged file); another unexpected error answers 500 with a JSON `{error}`.
 */
export function serveApi(
  controller: Controller,
  info: ApiInfo,
  onStop: (killWorkers: boolean) => void,
  reloadPlugins: () => Promise<{ loaded: string[]; errors: string[] }>,
  extensions: ControllerExtension[] = [],
) {
  return serveUnix(info.socket, async (req, ctl) => {
    const url = new URL(req.url);
    try {
      const parts = pathParts(url.pathname);
      if (!parts)
        return problem("bad_input", `path ${url.pathname}: a segment is not valid percent-encoding`);
      if (parts[0] !== "v1") return problem("not_found", `no such endpoint ${url.pathname}`);
      // while the store takes no writes, nothing that writes is taken either (orch stop is),
      // and who waits for a task is told why no result can come now
      const fault = controller.stall.fault;
      const waits = parts[1] === "tasks" && url.searchParams.has("wait");
      if (fault && (req.method !== "GET" || waits) && parts[1] !== "stop")
        return problem("unavailable", fault.message);
      for (const ext of extensions) {
        const r = await ext.route?.(req, parts, url);
        if (r) return r;
      }
      const m = req.method;
      const hit = matchRoute(ROUTES, m, parts);
      if (!hit) return problem("not_found", `no such endpoint ${m} ${url.pathname}`);
      const call: RouteCall = { req, url, params: hit.params, ctl, controller, info, onStop, reloadPlugins };
      return await hit.route.handler(call);
    } catch (e) {
      const fault = controller.stall.explain(e);
      if (fault) return problem("unavailable", fault.message);
      return json({ error: `internal error on ${req.method} ${url.pathname}: ${errorMessage(e)}` }, 500);
    }
  });
}
