/**
 * The controller's API routes, one table: method, path (`:name` is one path segment, decoded)
 * and handler. `serveApi` (api.ts) matches a request against it after the extensions had their
 * turn (workflow runs, backup and state live in src/core/app).
 */
import { existsSync } from "node:fs";
import { z } from "zod";
import { PRIORITY_NAMES } from "../domain/priority.ts";
import { isTaskStatus, TASK_STATUSES } from "../domain/task-status.ts";
import type { TaskPriority } from "../domain/types.ts";
import type { HostDesk } from "../hosts/host-desk.ts";
import type { RequestControl } from "../runtime/serve-unix.ts";
import { HOST_ROUTES } from "./api-host-routes.ts";
import { answer, body, HTTP, intParam, json, problem, waitParam } from "./api-http.ts";
import type { Controller } from "./controller.ts";
import { idKeyProblem, resolveIdKey } from "./id-keys.ts";
import { fileChunks, fileStream } from "./log-stream.ts";
import type { OrphanOutcome } from "./orphans.ts";
import { shortIdJson } from "./short-ids.ts";
import { attemptJson } from "./task-json.ts";

/** The most tasks `GET /v1/tasks?limit=N` lists at once. */
export const MAX_TASKS_LIMIT = 100_000;
/** The longest `?wait=MS` of the task routes (10 minutes). */
const MAX_WAIT_MS = 600_000;

const addWorkerBody = z.strictObject({
  type: z.string().min(1),
  project: z.string().min(1),
  name: z.string().min(1).optional(),
  /** A git worktree of its own; absent: the config's `worktree`. */
  worktree: z.boolean().optional(),
  /** The host to run it on: `local` (the default) or one added with `orch host add`. */
  host: z.string().min(1).optional(),
});
const sendBody = z.strictObject({
  worker: z.string().min(1),
  text: z.string(),
  timeoutSec: z.number().positive().max(2_073_600).optional(),
  retries: z.int().min(0).max(100).optional(),
});
const submitBody = z.strictObject({
  text: z.string(),
  type: z.string().min(1).max(64).optional(),
  tags: z.array(z.string().min(1).max(64)).max(32).optional(),
  project: z.string().min(1).optional(),
  priority: z.enum(["critical", "high", "normal", "low"]).optional(),
  timeoutSec: z.number().positive().max(2_073_600).optional(),
  retries: z.int().min(0).max(100).optional(),
  cwd: z.string().min(1).optional(),
  /** Only a worker on this host; labels: only on a host with all of them. */
  host: z.string().min(1).max(64).optional(),
  labels: z.record(z.string().min(1).max(64), z.string().max(256)).optional(),
});
const stopBody = z.strictObject({ killWorkers: z.boolean().optional() });
const hookBody = z.strictObject({ event: z.string().min(1).max(100), payload: z.unknown() });
const keysBody = z.strictObject({ keys: z.array(z.string().min(1).max(64)).min(1).max(100) });
const pruneBody = z.strictObject({
  /** Remove what is older than this; absent: the config's retentionDays. */
  olderThanSec: z.number().positive().optional(),
  dryRun: z.boolean().optional(),
});

/** What the daemon tells the API about itself (`GET /v1/status`). */
export interface ApiInfo {
  pid: number;
  version: string;
  startedAt: number;
  socket: string;
  /** What start-up did with the panes no stored worker owned (`orch start --orphans`). */
  orphans?: OrphanOutcome[];
  /** The machines the controller drives (`orch host ...`); absent in tests that need none. */
  hosts?: HostDesk;
}

/** Task and Worker JSON with the short task ids the tables show (Task JSON's `shortId`). */
const shown = (controller: Controller) => shortIdJson(controller.taskIds());

/** What a route's handler gets: the request, its path parameters, and the daemon. */
export interface RouteCall {
  req: Request;
  url: URL;
  /** The `:name` segments of the route's path, percent-decoded. */
  params: Record<string, string>;
  ctl: RequestControl;
  controller: Controller;
  info: ApiInfo;
  onStop: (killWorkers: boolean) => void;
  reloadPlugins: () => Promise<{ loaded: string[]; errors: string[] }>;
}

/** One API route. */
export interface Route {
  method: "GET" | "POST" | "DELETE";
  /** e.g. `/v1/tasks/:id`; `:name` matches one non-empty segment. */
  path: string;
  handler: (c: RouteCall) => Promise<Response> | Response;
}

/**
 * Every route of the core API. `GET /v1/tasks/:id?wait=MS` long-polls until the task is
 * final; `POST /v1/tasks?wait=MS` and `POST /v1/submit?wait=MS` answer with the task once it
 * is final (or after MS), saving a round trip.
 */
export const ROUTES: readonly Route[] = [
  {
    method: "GET",
    path: "/v1/status",
    handler: ({ controller, info }) =>
      json({
        controller: {
          pid: info.pid,
          version: info.version,
          startedAt: new Date(info.startedAt).toISOString(),
          socket: info.socket,
        },
        ...(info.orphans?.length ? { orphans: info.orphans } : {}),
        workers: controller.workers().map((w) => shown(controller).worker(w.worker, w.ready)),
        ...(info.hosts ? { hosts: info.hosts.list() } : {}),
      }),
  },
  {
    method: "POST",
    path: "/v1/workers",
    handler: async ({ req, controller }) => {
      const b = await body(req, addWorkerBody);
      if (!b.ok) return b.error;
      return answer(await controller.addWorker(b.value), (w) => shown(controller).worker(w, true), 201);
    },
  },
  {
    method: "DELETE",
    path: "/v1/workers/:name",
    handler: async ({ params, controller }) =>
      answer(await controller.killWorker(params.name!), (r) => ({ ok: true, worktree: r.worktree })),
  },
  {
    method: "POST",
    path: "/v1/workers/:name/revive",
    // ?force=1: restart it even when it is healthy and idle, or on a task (which then ends)
    handler: async ({ url, params, controller }) =>
      answer(await controller.reviveByHand(params.name!, url.searchParams.get("force") === "1"), (r) => ({
        ...shown(controller).worker(r.worker, true),
        revived: r.revived,
        ...(r.note ? { note: r.note } : {}),
      })),
  },
  {
    method: "POST",
    path: "/v1/workers/:name/hooks",
    handler: async ({ req, params, controller }) => {
      const b = await body(req, hookBody);
      if (!b.ok) return b.error;
      return answer(controller.workerDesk.hook(params.name!, b.value), () => ({ ok: true }));
    },
  },
  {
    method: "POST",
    path: "/v1/workers/:name/approve",
    handler: ({ params, controller }) =>
      answer(controller.workerDesk.answer(params.name!, "approve"), () => ({
        ok: true,
        worker: params.name,
        answer: "approve",
      })),
  },
  {
    method: "POST",
    path: "/v1/workers/:name/deny",
    handler: ({ params, controller }) =>
      answer(controller.workerDesk.answer(params.name!, "deny"), () => ({
        ok: true,
        worker: params.name,
        answer: "deny",
      })),
  },
  {
    method: "POST",
    path: "/v1/workers/:name/keys",
    handler: async ({ req, params, controller }) => {
      const b = await body(req, keysBody);
      if (!b.ok) return b.error;
      return answer(await controller.workerDesk.sendKeys(params.name!, b.value.keys), () => ({ ok: true }));
    },
  },
  {
    method: "GET",
    path: "/v1/workers/:name/capture",
    handler: async ({ params, controller }) =>
      answer(await controller.workerDesk.capture(params.name!), (text) => ({ text })),
  },
  {
    method: "GET",
    path: "/v1/workers/:name/log",
    handler: async ({ req, url, params, ctl, controller }) => {
      // the pane's raw log; ?follow=1 keeps the response open and streams what is appended
      // (&from=BYTE: a follower resuming after a restart of the controller; it ends when the worker is killed)
      const f = controller.workerDesk.logFile(params.name!);
      if (!f.ok) return problem(f.code, f.error);
      const from = intParam(url, "from", 0, Number.MAX_SAFE_INTEGER);
      if (!from.ok) return from.error;
      const follow = url.searchParams.get("follow") === "1";
      await f.value.pull();
      if (follow) {
        ctl.keepOpen(req);
        req.signal.addEventListener("abort", f.value.keepPulling(), { once: true });
      }
      return new Response(
        fileStream(f.value.path, { follow, from: from.value ?? 0, endWhen: f.value.onRemoved }),
      );
    },
  },
  {
    method: "POST",
    path: "/v1/tasks",
    handler: async ({ req, url, controller }) => {
      const b = await body(req, sendBody);
      if (!b.ok) return b.error;
      const value = b.value;
      const sent = await controller.grouped(() => controller.send(value));
      const wait = waitParam(url, MAX_WAIT_MS);
      if (!sent.ok || wait <= 0) return answer(sent, shown(controller).task, 201);
      const t = (await controller.waitTask(sent.value.id, wait, sent.value)) ?? sent.value;
      return json(shown(controller).task(t), 201);
    },
  },
  {
    method: "GET",
    path: "/v1/tasks",
    handler: ({ url, controller }) => {
      const limit = intParam(url, "limit", 1, MAX_TASKS_LIMIT);
      if (!limit.ok) return limit.error;
      const worker = url.searchParams.get("worker") ?? undefined;
      const runId = url.searchParams.get("run") ?? undefined;
      const statuses = url.searchParams.get("status")?.split(",").filter(Boolean);
      const bad = statuses?.find((st) => !isTaskStatus(st));
      if (bad) return problem("bad_input", `status "${bad}": expected one of ${TASK_STATUSES.join(", ")}`);
      const status = statuses?.filter(isTaskStatus);
      return json(
        controller
          .listTasks({
            worker,
            limit: limit.value,
            ...(runId ? { runId } : {}),
            ...(status ? { status } : {}),
          })
          .map(shown(controller).task),
      );
    },
  },
  {
    method: "POST",
    path: "/v1/tasks/:id/cancel",
    handler: ({ params, controller }) => {
      const key = resolveIdKey(controller.taskIds(), params.id!, "task", "orch results");
      if (!key.ok) return json(idKeyProblem(key), HTTP[key.code]);
      return answer(controller.cancelTask(key.value, "cancelled by orch cancel"), shown(controller).task);
    },
  },
  {
    method: "GET",
    path: "/v1/tasks/:id",
    handler: async ({ url, params, controller }) => {
      const id = params.id!;
      // a whole task id or a unique prefix of one (what `orch results` shows)
      const key = resolveIdKey(controller.taskIds(), id, "task", "orch results");
      if (!key.ok) return json(idKeyProblem(key), HTTP[key.code]);
      const t = await controller.waitTask(key.value, waitParam(url, MAX_WAIT_MS));
      if (!t) return problem("not_found", `unknown task "${id}"`);
      // the earlier attempts of a retried task (its latest attempt is the task itself)
      const history = controller.attemptsOf(t.id).map(attemptJson);
      return json({ ...shown(controller).task(t), history });
    },
  },
  {
    method: "GET",
    path: "/v1/tasks/:id/output",
    handler: ({ params, controller }) => {
      // the whole output: its file when the stored one was cut, else the stored output
      const key = resolveIdKey(controller.taskIds(), params.id!, "task", "orch results");
      if (!key.ok) return json(idKeyProblem(key), HTTP[key.code]);
      const t = controller.getTask(key.value);
      if (!t) return problem("not_found", `unknown task "${params.id}"`);
      const file = controller.housekeeping.outputFile(t.id);
      if (t.outputBytes != null && existsSync(file))
        return new Response(fileChunks(file), { headers: { "x-orch-output": "file" } });
      return new Response(t.output ?? "", { headers: { "x-orch-output": "store" } });
    },
  },
  {
    method: "POST",
    path: "/v1/prune",
    handler: async ({ req, controller }) => {
      const b = await body(req, pruneBody);
      if (!b.ok) return b.error;
      return answer(controller.housekeeping.prune(b.value.olderThanSec, b.value.dryRun ?? false), (r) => r);
    },
  },
  {
    method: "POST",
    path: "/v1/submit",
    handler: async ({ req, url, controller }) => {
      const b = await body(req, submitBody);
      if (!b.ok) return b.error;
      const { priority, ...rest } = b.value;
      const wanted = {
        ...rest,
        ...(priority ? { priority: (PRIORITY_NAMES.indexOf(priority) + 1) as TaskPriority } : {}),
      };
      const sent = await controller.grouped(() => controller.submit([wanted]));
      if (!sent.ok) return problem(sent.code, sent.error);
      const task = sent.value[0]!;
      const wait = waitParam(url, MAX_WAIT_MS);
      const t = wait > 0 ? ((await controller.waitTask(task.id, wait)) ?? task) : task;
      return json(shown(controller).task(t), 201);
    },
  },
  {
    method: "POST",
    path: "/v1/health-check",
    handler: async ({ controller }) => json(await controller.healthCheck()),
  },
  {
    method: "GET",
    path: "/v1/events",
    handler: async ({ url, controller }) => {
      const limit = intParam(url, "limit", 1, 10_000);
      if (!limit.ok) return limit.error;
      const after = url.searchParams.get("after");
      const afterId = after === null ? null : Number(after);
      if (afterId !== null && !(Number.isInteger(afterId) && afterId >= 0)) {
        return problem("bad_input", `after "${after}": expected an event id, 0 or more`);
      }
      return json(await controller.eventsAfter(afterId, limit.value ?? 100, waitParam(url, MAX_WAIT_MS)));
    },
  },
  {
    method: "POST",
    path: "/v1/plugins/reload",
    handler: async ({ reloadPlugins }) => json(await reloadPlugins()),
  },
  {
    method: "POST",
    path: "/v1/stop",
    handler: async ({ req, info, onStop }) => {
      const b = await body(req, stopBody);
      if (!b.ok) return b.error;
      setTimeout(() => onStop(b.value.killWorkers ?? false), 0);
      return json({ ok: true, pid: info.pid });
    },
  },
  ...HOST_ROUTES,
];
