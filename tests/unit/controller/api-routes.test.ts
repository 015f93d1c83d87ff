import { describe, expect, test } from "bun:test";
import { matchRoute } from "../../../src/core/controller/api.ts";
import { intParam } from "../../../src/core/controller/api-http.ts";
import { ROUTES } from "../../../src/core/controller/api-routes.ts";

const match = (method: string, path: string) => {
  const hit = matchRoute(ROUTES, method, path.split("/").filter(Boolean));
  return hit ? { path: hit.route.path, params: hit.params } : null;
};

describe("the route table", () => {
  test("each method and path is there once", () => {
    const keys = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain("GET /v1/tasks/:id");
    expect(keys).toContain("POST /v1/workers/:name/keys");
  });

  test("a request finds its route and its parameters", () => {
    expect(match("GET", "/v1/tasks/0190abc")).toEqual({ path: "/v1/tasks/:id", params: { id: "0190abc" } });
    expect(match("POST", "/v1/tasks/x/cancel")).toEqual({
      path: "/v1/tasks/:id/cancel",
      params: { id: "x" },
    });
    expect(match("GET", "/v1/tasks")).toEqual({ path: "/v1/tasks", params: {} });
    expect(match("POST", "/v1/tasks")).toEqual({ path: "/v1/tasks", params: {} });
    expect(match("DELETE", "/v1/workers/w1")).toEqual({ path: "/v1/workers/:name", params: { name: "w1" } });
    // a decoded segment may hold what the path could not ("/", "?")
    expect(matchRoute(ROUTES, "GET", ["v1", "workers", "a/b?c", "capture"])?.params).toEqual({
      name: "a/b?c",
    });
  });

  test("a wrong method, an extra or a missing segment finds nothing", () => {
    expect(match("DELETE", "/v1/tasks")).toBeNull();
    expect(match("GET", "/v1/tasks/x/extra")).toBeNull();
    expect(match("POST", "/v1/workers/w1/nope")).toBeNull();
    expect(match("GET", "/v1/stop")).toBeNull();
  });
});

describe("intParam", () => {
  const url = (q: string) => new URL(`http://orch/v1/tasks?${q}`);
  test("absent, or a whole number in range", () => {
    expect(intParam(url(""), "limit", 1, 100)).toEqual({ ok: true, value: undefined });
    expect(intParam(url("limit=7"), "limit", 1, 100)).toEqual({ ok: true, value: 7 });
  });

  test.each(["0", "101", "1e99", "abc", "-1", "2.5", ""])("limit=%p is a 400 naming it", async (v) => {
    const r = intParam(url(`limit=${v}`), "limit", 1, 100);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe("bad_input");
    expect(r.error.status).toBe(400);
    expect(((await r.error.json()) as { error: string }).error).toBe(
      `limit ${JSON.stringify(v)}: expected a whole number from 1 to 100`,
    );
  });
});
