/**
 * The API's routes driven with a fake controller (no socket, no tmux): what reaches the
 * controller after validation, and how its answers and failures become HTTP. The store is a
 * real one in memory (task ids and their prefixes come from its index).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { matchRoute } from "../../../src/core/controller/api.ts";
import { ROUTES, type RouteCall } from "../../../src/core/controller/api-routes.ts";
import type { Controller } from "../../../src/core/controller/controller.ts";
import { newTask } from "../../../src/core/controller/new-task.ts";
import { fail, ok, type Result } from "../../../src/core/domain/result.ts";
import type { Task, Worker } from "../../../src/core/domain/types.ts";
import { openStore } from "../../../src/core/store/index.ts";

const store = openStore(":memory:");
afterAll(() => store.close());

/** What the fake controller was asked, in order. */
const calls: string[] = [];
let addWorkerAnswer: Result<Worker> = fail("conflict", 'a worker named "w1" already exists');

const worker: Worker = {
  id: "0b7c1d5e-0000-4000-8000-000000000001",
  name: "w1",
  type: "shell",
  project: "/srv/app",
  worktree: null,
  state: "idle",
  paneId: "%1",
  currentTask: null,
  restarts: 0,
  createdAt: 0,
  host: "local",
  error: null,
};

const fake = {
  workers: () => [{ worker, ready: true }],
  taskIds: () => store.tasks.ids,
  grouped: <T>(fn: () => T) => {
    calls.push("grouped");
    return Promise.resolve(fn());
  },
  send: (req: { worker: string; text: string }): Result<Task> => {
    calls.push(`send ${req.worker} ${req.text}`);
    return ok(store.tasks.insert(newTask({ worker: req.worker, text: req.text, timeoutMs: 1000 })));
  },
  waitTask: (id: string) => Promise.resolve(store.tasks.get(id)),
  attemptsOf: () => [],
  cancelTask: (id: string): Result<Task> => {
    calls.push(`cancel ${id}`);
    return ok(store.tasks.get(id)!);
  },
  listTasks: () => store.tasks.list({ order: "asc" }),
  addWorker: () => Promise.resolve(addWorkerAnswer),
  workerDesk: {
    hook: (name: string, e: { event: string }): Result<void> => {
      calls.push(`hook ${name} ${e.event}`);
      return ok(undefined);
    },
  },
} as unknown as Controller;

/** Sends a request through the route table as the server would. */
// biome-ignore lint/suspicious/noExplicitAny: the test reads whatever JSON a route answers
async function request(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const url = new URL(`http://orch${path}`);
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const hit = matchRoute(ROUTES, method, parts);
  if (!hit) return { status: 404, json: null };
  const req = new Request(url.href, {
    method,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const call: RouteCall = {
    req,
    url,
    params: hit.params,
    ctl: { keepOpen: () => undefined },
    controller: fake,
    info: { pid: 1, version: "test", startedAt: 0, socket: "/x" },
    onStop: () => undefined,
    reloadPlugins: () => Promise.resolve({ loaded: [], errors: [] }),
  };
  const res = await hit.route.handler(call);
  return { status: res.status, json: await res.json() };
}

describe("API routes with a fake controller", () => {
  test("POST /v1/tasks: a body that breaks the schema is 400 naming the field; the controller is not asked", async () => {
    calls.length = 0;
    const r = await request("POST", "/v1/tasks", { worker: "w1", text: "x", timeoutSec: -1 });
    expect(r.status).toBe(400);
    expect(r.json.error).toContain("timeoutSec");
    expect((await request("POST", "/v1/tasks", "not json")).json.error).toBe("request body is not JSON");
    expect(calls).toEqual([]);
  });

  test("POST /v1/tasks: a send goes through one grouped commit and answers 201 with the task and its short id", async () => {
    calls.length = 0;
    const r = await request("POST", "/v1/tasks", { worker: "w1", text: "make test" });
    expect(r.status).toBe(201);
    expect(calls).toEqual(["grouped", "send w1 make test"]);
    expect(r.json).toMatchObject({ worker: "w1", status: "queued" });
    expect(r.json.id.startsWith(r.json.shortId)).toBe(true);
  });

  test("GET /v1/tasks/:id takes a unique prefix; an ambiguous one is 400 listing the matches; none is 404", async () => {
    const a = store.tasks.insert(
      newTask({ id: "01a23507-aaaa-7000-8000-000000000001", text: "a", timeoutMs: 1 }),
    );
    const b = store.tasks.insert(
      newTask({ id: "01a23507-aaab-7000-8000-000000000002", text: "b", timeoutMs: 1 }),
    );
    const one = await request("GET", "/v1/tasks/01a23507-aaaa");
    expect(one.status).toBe(200);
    expect(one.json.id).toBe(a.id);
    const both = await request("GET", "/v1/tasks/01a23507-aaa");
    expect(both.status).toBe(400);
    expect(both.json).toMatchObject({ code: "ambiguous", matchCount: 2, matches: [a.id, b.id] });
    expect((await request("GET", "/v1/tasks/ffff0000")).status).toBe(404);
    expect((await request("GET", "/v1/tasks/x;y")).status).toBe(400);
  });

  test("POST /v1/tasks/:id/cancel cancels the task the prefix names, by its whole id", async () => {
    calls.length = 0;
    const r = await request("POST", "/v1/tasks/01A23507AAAB/cancel");
    expect(r.status).toBe(200);
    expect(calls).toEqual(["cancel 01a23507-aaab-7000-8000-000000000002"]);
  });

  test("a controller's failure is the status its code maps to, with {error, code}", async () => {
    const body = { type: "shell", project: "/srv/app", name: "w1" };
    addWorkerAnswer = fail("conflict", 'a worker named "w1" already exists');
    expect(await request("POST", "/v1/workers", body)).toEqual({
      status: 409,
      json: { error: 'a worker named "w1" already exists', code: "conflict" },
    });
    addWorkerAnswer = fail("unavailable", 'worker "w1": the agent exited at once with status 127');
    expect((await request("POST", "/v1/workers", body)).status).toBe(503);
    addWorkerAnswer = ok(worker);
    const made = await request("POST", "/v1/workers", body);
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ name: "w1", currentTaskShortId: null });
  });

  test("query parameters are checked: a bad limit is 400 naming it", async () => {
    const r = await request("GET", "/v1/tasks?limit=0");
    expect(r.status).toBe(400);
    expect(r.json.error).toContain("limit");
    expect((await request("GET", "/v1/tasks?limit=1e99")).status).toBe(400);
    expect((await request("GET", "/v1/tasks?limit=5")).status).toBe(200);
  });

  test("POST /v1/workers/:name/hooks hands the event on; a bad body does not reach the controller", async () => {
    calls.length = 0;
    expect((await request("POST", "/v1/workers/w1/hooks", { payload: {} })).status).toBe(400);
    expect(calls).toEqual([]);
    const r = await request("POST", "/v1/workers/w1/hooks", { event: "Stop", payload: { a: 1 } });
    expect(r).toEqual({ status: 200, json: { ok: true } });
    expect(calls).toEqual(["hook w1 Stop"]);
  });
});
