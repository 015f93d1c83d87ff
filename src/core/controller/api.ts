import { z } from "zod";
import { PRIORITY_NAMES } from "../domain/priority.ts";
import { isTaskStatus, TASK_STATUSES } from "../domain/task-status.ts";
import type { TaskPriority } from "../domain/types.ts";
import { serveUnix } from "../runtime/serve-unix.ts";
import type { Controller } from "./controller.ts";
import type { ControllerExtension } from "./extension.ts";
import { idKeyProblem, resolveIdKey } from "./id-keys.ts";
import { fileStream } from "./log-stream.ts";
import type { FailureCode, Outcome } from "./outcome.ts";
import { shortIdJson } from "./short-ids.ts";
import { attemptJson } from "./task-json.ts";

const HTTP: Record<FailureCode, number> = { bad_input: 400, not_found: 404, conflict: 409, unavailable: 503 };

const addWorkerBody = z.strictObject({
  type: z.string().min(1),
  project: z.string().min(1),
  name: z.string().min(1).optional(),
  /** A git worktree of its own; absent: the config's `worktree`. */
  worktree: z.boolean().optional(),
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
});
const stopBody = z.strictObject({ killWorkers: z.boolean().optional() });
const hookBody = z.strictObject({ event: z.string().min(1).max(100), payload: z.unknown() });
const keysBody = z.strictObject({ keys: z.array(z.string().min(1).max(64)).min(1).max(100) });

export interface ApiInfo {
  pid: number;
  version: string;
  startedAt: number;
  socket: string;
}

const json = (value: unknown, status = 200) => Response.json(value, { status });
const problem = (code: FailureCode, error: string) => json({ error, code }, HTTP[code]);
const answer = <T>(o: Outcome<T>, map: (v: T) => unknown, status = 200) =>
  o.ok ? json(map(o.value), status) : problem(o.code, o.error);

async function body<T>(
  req: Request,
  schema: z.ZodType<T>,
): Promise<{ ok: true; value: T } | { ok: false; res: Response }> {
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    return { ok: false, res: problem("bad_input", "request body is not JSON") };
  }
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  const msg = r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
  return { ok: false, res: problem("bad_input", msg) };
}

/**
 * The controller's local HTTP+JSON API on a Unix socket (mode 0600). The CLI is its client;
 * `GET /v1/tasks/ID?wait=MS` long-polls until the task is final, and `POST /v1/tasks?wait=MS`
 * answers with the task once it is final.
 */
export function serveApi(
  controller: Controller,
  info: ApiInfo,
  onStop: (killWorkers: boolean) => void,
  reloadPlugins: () => Promise<{ loaded: string[]; errors: string[] }>,
  extensions: ControllerExtension[] = [],
) {
  // Task and Worker JSON with the short task ids tables show (Task JSON's `shortId`)
  const { task: taskJson, worker: workerJson } = shortIdJson(controller.taskIds());
  return serveUnix(info.socket, async (req, ctl) => {
    const url = new URL(req.url);
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const [v, res, id, sub] = parts;
    if (v !== "v1") return problem("not_found", `no such endpoint ${url.pathname}`);
    const m = req.method;
    for (const ext of extensions) {
      const r = await ext.route?.(req, parts, url);
      if (r) return r;
    }
    if (res === "status" && m === "GET") {
      return json({
        controller: {
          pid: info.pid,
          version: info.version,
          startedAt: new Date(info.startedAt).toISOString(),
          socket: info.socket,
        },
        workers: controller.workers().map((w) => workerJson(w.worker, w.ready)),
      });
    }
    if (res === "workers") {
      if (!id && m === "POST") {
        const b = await body(req, addWorkerBody);
        if (!b.ok) return b.res;
        return answer(await controller.addWorker(b.value), (w) => workerJson(w, true), 201);
      }
      if (id && !sub && m === "DELETE")
        return answer(await controller.killWorker(id), (r) => ({ ok: true, worktree: r.worktree }));
      if (id && sub === "revive" && m === "POST")
        return answer(await controller.reviveByHand(id), (w) => workerJson(w, true));
      if (id && sub === "hooks" && m === "POST") {
        const b = await body(req, hookBody);
        if (!b.ok) return b.res;
        return answer(controller.hook(id, b.value), () => ({ ok: true }));
      }
      if (id && (sub === "approve" || sub === "deny") && m === "POST")
        return answer(controller.answer(id, sub), () => ({ ok: true, worker: id, answer: sub }));
      if (id && sub === "keys" && m === "POST") {
        const b = await body(req, keysBody);
        if (!b.ok) return b.res;
        return answer(await controller.sendKeys(id, b.value.keys), () => ({ ok: true }));
      }
      if (id && sub === "capture" && m === "GET")
        return answer(await controller.capture(id), (text) => ({ text }));
      if (id && sub === "log" && m === "GET") {
        // the pane's raw log; ?follow=1 keeps the response open and streams what is appended
        const f = controller.logFile(id);
        if (!f.ok) return problem(f.code, f.error);
        const follow = url.searchParams.get("follow") === "1";
        if (follow) ctl.keepOpen(req);
        return new Response(fileStream(f.value, { follow }));
      }
    }
    if (res === "tasks") {
      // ID: a whole task id or a unique prefix of one (what `orch results` shows)
      const key = id ? resolveIdKey(controller.taskIds(), id, "task", "orch results") : null;
      if (key && !key.ok) return json(idKeyProblem(key), HTTP[key.code]);
      const taskId = key?.id;
      if (!id && m === "POST") {
        const b = await body(req, sendBody);
        if (!b.ok) return b.res;
        const value = b.value;
        const sent = await controller.grouped(() => controller.send(value));
        const wait = Math.min(Number(url.searchParams.get("wait") ?? "0") || 0, 600_000);
        if (!sent.ok || wait <= 0) return answer(sent, taskJson, 201);
        // ?wait=MS: answer once the task is final (or after MS), saving a round trip
        const t = (await controller.waitTask(sent.value.id, wait, sent.value)) ?? sent.value;
        return json(taskJson(t), 201);
      }
      if (!id && m === "GET") {
        const limit = Number(url.searchParams.get("limit") ?? "0") || undefined;
        const worker = url.searchParams.get("worker") ?? undefined;
        const runId = url.searchParams.get("run") ?? undefined;
        const statuses = url.searchParams.get("status")?.split(",").filter(Boolean);
        const bad = statuses?.find((st) => !isTaskStatus(st));
        if (bad) return problem("bad_input", `status "${bad}": expected one of ${TASK_STATUSES.join(", ")}`);
        const status = statuses?.filter(isTaskStatus);
        return json(
          controller
            .listTasks({ worker, limit, ...(runId ? { runId } : {}), ...(status ? { status } : {}) })
            .map(taskJson),
        );
      }
      if (taskId && sub === "cancel" && m === "POST") {
        return answer(controller.cancelTask(taskId, "cancelled by orch cancel"), taskJson);
      }
      if (taskId && m === "GET") {
        const wait = Math.min(Number(url.searchParams.get("wait") ?? "0") || 0, 600_000);
        const t = await controller.waitTask(taskId, wait);
        if (!t) return problem("not_found", `unknown task "${id}"`);
        // the earlier attempts of a retried task (its latest attempt is the task itself)
        const history = controller.attemptsOf(t.id).map(attemptJson);
        return json({ ...taskJson(t), history });
      }
    }
    if (res === "submit" && !id && m === "POST") {
      const b = await body(req, submitBody);
      if (!b.ok) return b.res;
      const { priority, ...rest } = b.value;
      const wanted = {
        ...rest,
        ...(priority ? { priority: (PRIORITY_NAMES.indexOf(priority) + 1) as TaskPriority } : {}),
      };
      const sent = await controller.grouped(() => controller.submit([wanted]));
      if (!sent.ok) return problem(sent.code, sent.error);
      const task = sent.value[0]!;
      const wait = Math.min(Number(url.searchParams.get("wait") ?? "0") || 0, 600_000);
      const t = wait > 0 ? ((await controller.waitTask(task.id, wait)) ?? task) : task;
      return json(taskJson(t), 201);
    }
    if (res === "health-check" && !id && m === "POST") return json(await controller.healthCheck());
    if (res === "events" && !id && m === "GET") {
      const after = url.searchParams.get("after");
      const limit = Math.min(Math.max(Number(url.searchParams.get("limit") ?? "100") || 100, 1), 10_000);
      const wait = Math.min(Number(url.searchParams.get("wait") ?? "0") || 0, 600_000);
      const afterId = after === null ? null : Number(after);
      if (afterId !== null && !(Number.isInteger(afterId) && afterId >= 0)) {
        return problem("bad_input", `after "${after}": expected an event id, 0 or more`);
      }
      return json(await controller.eventsAfter(afterId, limit, wait));
    }
    if (res === "plugins" && id === "reload" && m === "POST") return json(await reloadPlugins());
    if (res === "stop" && m === "POST") {
      const b = await body(req, stopBody);
      if (!b.ok) return b.res;
      setTimeout(() => onStop(b.value.killWorkers ?? false), 0);
      return json({ ok: true, pid: info.pid });
    }
    return problem("not_found", `no such endpoint ${m} ${url.pathname}`);
  });
}
