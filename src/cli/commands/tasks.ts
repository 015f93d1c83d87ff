import type { RunViewJson } from "../../core/app/runs/run-view.ts";
import type { ShownTaskJson } from "../../core/controller/short-ids.ts";
import type { AttemptJson, TaskJson } from "../../core/controller/task-json.ts";
import { segment, TASK_EXPECTED } from "../api-client.ts";
import type { CliContext } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { printJson, printTable } from "../output.ts";
import { controllerGone, reconnecting } from "../reconnect.ts";
import { err, out } from "../stdio.ts";

const FINAL = new Set(["succeeded", "failed", "timed_out", "cancelled"]);

/** The exit code a finished task stands for. */
export function verdictExit(t: TaskJson): number {
  if (t.status === "succeeded") return EXIT.ok;
  if (t.status === "timed_out") return EXIT.timedOut;
  return EXIT.taskFailed;
}

/** Long-polls the controller until the task is final, across restarts of the controller (reconnect.ts). */
export async function waitForTask(ctx: CliContext, id: string): Promise<TaskJson> {
  const path = `/v1/tasks/${segment(id, "task", TASK_EXPECTED)}?wait=5000`;
  for (;;) {
    const t = await reconnecting(ctx, () => ctx.api.call<TaskJson>("GET", path));
    if (FINAL.has(t.status)) return t;
  }
}

/**
 * Queues a task (POST `path`, answered as soon as it is committed; a `--wait` waits for it
 * afterwards with {@link waitForTask}, which survives a restart of the controller). A
 * connection that broke after the request went out may have queued the task, and it is not
 * sent twice: that exits 3 saying where to look.
 */
export async function queueTask(
  ctx: CliContext,
  path: string,
  body: unknown,
  where: string,
): Promise<TaskJson> {
  try {
    return await ctx.api.call<TaskJson>("POST", path, body);
  } catch (e) {
    const gone = controllerGone(e, ctx.api.socket);
    if (!gone?.maybeSent) throw e;
    throw new CliError(
      `the controller at ${ctx.home} went away while queuing the task, which may or may not be queued: see 'orch results${where}'`,
      EXIT.unavailable,
    );
  }
}

/** `orch send WORKER TEXT [--wait]`: prints the task id, or with --wait the task's output. */
export async function sendCommand(
  ctx: CliContext,
  worker: string,
  text: string,
  o: { wait?: boolean; timeout?: number; retries?: number },
): Promise<number> {
  const body = {
    worker,
    text,
    ...timeoutAndRetries(o),
  };
  const t = await queueTask(ctx, "/v1/tasks", body, ` --worker ${worker}`);
  return printQueued(ctx, t, Boolean(o.wait));
}

/** `--timeout` and `--retries` (validated where argv comes in, src/cli/flags.ts) as the API takes them. */
export function timeoutAndRetries(o: { timeout?: number; retries?: number }): {
  timeoutSec?: number;
  retries?: number;
} {
  return {
    ...(o.timeout !== undefined ? { timeoutSec: o.timeout } : {}),
    ...(o.retries !== undefined ? { retries: o.retries } : {}),
  };
}

/**
 * What `send` and `submit` print for a task they queued: its id; or with `wait`, once it is
 * final, its output (and on stderr why it did not succeed), exiting with its verdict.
 */
export async function printQueued(ctx: CliContext, t: TaskJson, wait: boolean): Promise<number> {
  if (!wait) {
    if (ctx.json) printJson(t);
    else out.line(t.id);
    return EXIT.ok;
  }
  const done = FINAL.has(t.status) ? t : await waitForTask(ctx, t.id);
  if (ctx.json) printJson(done);
  else {
    out.write(done.output ?? "");
    if (done.status !== "succeeded") err.write(`orch: task ${done.id} ${done.status}: ${done.error ?? ""}\n`);
  }
  return verdictExit(done);
}

/**
 * `orch task ID [--wait] [--full]`: one task, all its fields; with `--full` only its whole
 * output (from its output file when the stored one was cut at maxOutputBytes).
 */
export async function taskCommand(
  ctx: CliContext,
  id: string,
  o: Record<string, unknown> & { wait?: unknown; full?: unknown },
): Promise<number> {
  // (asked once as it is first: with no controller at all, exit 3 at once rather than wait for one)
  const now = await ctx.api.call<TaskJson>("GET", `/v1/tasks/${segment(id, "task", TASK_EXPECTED)}`);
  const t = o.wait && !FINAL.has(now.status) ? await waitForTask(ctx, now.id) : now;
  if (o.full) return printFullOutput(ctx, t);
  if (ctx.json) {
    printJson(t);
    return EXIT.ok;
  }
  const rows: Array<[string, unknown]> = [
    ["id", t.id],
    ["worker", t.worker],
    ["type", t.agentType],
    ["project", t.project],
    ["run", t.runId ? `${t.runId} step ${t.step}` : null],
    ["status", t.status],
    ["exit code", t.exitCode],
    ["attempts", t.attempts],
    ["submitted", t.submittedAt],
    ["started", t.startedAt],
    ["finished", t.finishedAt],
    ["error", t.error],
    ["text", t.text],
  ];
  for (const [k, v] of rows) if (v !== null && v !== undefined) out.line(`${`${k}:`.padEnd(11)}${v}`);
  const history = (t as TaskJson & { history?: AttemptJson[] }).history ?? [];
  for (const a of history) {
    const took =
      a.startedAt && a.finishedAt
        ? ` in ${(Date.parse(a.finishedAt) - Date.parse(a.startedAt)) / 1000} s`
        : "";
    out.line(
      `attempt ${a.attempt}: ${a.status} on ${a.worker ?? "-"}${took}${a.error ? `: ${a.error}` : ""}`,
    );
  }
  if (history.length) out.line(`attempt ${t.attempts}: ${t.status} (latest)`);
  if (t.output !== null)
    out.write(`output:\n${t.output}${t.output.endsWith("\n") || t.output === "" ? "" : "\n"}`);
  return EXIT.ok;
}

/** `task --full`: the task's whole output, streamed (with --json: the task with it as `output`). */
async function printFullOutput(ctx: CliContext, t: TaskJson): Promise<number> {
  const res = await ctx.api.raw("GET", `/v1/tasks/${segment(t.id, "task", TASK_EXPECTED)}/output`);
  if (!res.ok) {
    const message = ((await res.json()) as { error: string }).error;
    throw new CliError(message, res.status === 503 ? EXIT.unavailable : EXIT.usage);
  }
  const cut = t.outputBytes != null;
  if (cut && res.headers.get("x-orch-output") !== "file")
    err.write(`orch: task ${t.id}: its full output file is gone; this is the stored (cut) output\n`);
  if (ctx.json) {
    printJson({ ...t, output: await res.text() });
    return EXIT.ok;
  }
  const decoder = new TextDecoder();
  for await (const chunk of res.body ?? []) out.write(decoder.decode(chunk, { stream: true }));
  out.write(decoder.decode());
  return EXIT.ok;
}

/** `orch results`: finished and pending tasks, oldest first. */
export async function resultsCommand(
  ctx: CliContext,
  o: { worker?: string; limit?: number; run?: string; status?: string },
): Promise<number> {
  const q = new URLSearchParams();
  if (o.worker) q.set("worker", o.worker);
  // the run's full id: --run takes what `orch runs` shows, or any unique prefix, or last
  if (o.run)
    q.set("run", (await ctx.api.call<RunViewJson>("GET", `/v1/runs/${encodeURIComponent(o.run)}`)).run.id);
  if (o.status) q.set("status", o.status);
  if (o.limit) q.set("limit", String(o.limit));
  const tasks = await ctx.api.call<ShownTaskJson[]>("GET", `/v1/tasks?${q}`);
  if (ctx.json) {
    printJson(tasks);
    return EXIT.ok;
  }
  const dur = (t: TaskJson) =>
    t.startedAt && t.finishedAt
      ? `${((Date.parse(t.finishedAt) - Date.parse(t.startedAt)) / 1000).toFixed(2)}s`
      : "-";
  printTable(
    ["ID", "WORKER", "STATUS", "EXIT", "TIME", "TEXT"],
    tasks.map((t) => [
      // unique among all tasks and what `orch task` takes (a controller older than shortId: the whole id)
      t.shortId ?? t.id,
      t.worker ?? "-",
      t.status,
      t.exitCode === null ? "-" : String(t.exitCode),
      dur(t),
      t.text.replace(/\s+/g, " ").slice(0, 50),
    ]),
  );
  return EXIT.ok;
}
