import { resolve } from "node:path";
import type { TaskJson } from "../../core/controller/task-json.ts";
import { parsePriority } from "../../core/domain/priority.ts";
import type { CliContext } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { printJson } from "../output.ts";
import { verdictExit, waitForTask } from "./tasks.ts";

const FINAL = new Set(["succeeded", "failed", "timed_out", "cancelled"]);

/** Flags of `orch submit`, as cac gives them. */
export interface SubmitOptions {
  type?: string;
  project?: string;
  priority?: string;
  tag?: string[];
  timeout?: number;
  retries?: number;
  wait?: boolean;
}

/**
 * `orch submit TEXT`: queues a task for whichever worker fits (the scheduler picks or starts
 * one); prints the task id, or with --wait its output and exits with its verdict.
 */
export async function submitCommand(ctx: CliContext, text: string, o: SubmitOptions): Promise<number> {
  const body: Record<string, unknown> = { text, cwd: process.cwd() };
  if (o.type !== undefined) body.type = o.type;
  if (o.project !== undefined) body.project = resolve(o.project);
  if (o.tag?.length) body.tags = o.tag;
  if (o.priority !== undefined) {
    const p = parsePriority(o.priority);
    if (!p.ok) throw new CliError(`--priority: ${p.error}`, EXIT.usage);
    body.priority = o.priority.toLowerCase();
  }
  if (o.timeout !== undefined) {
    if (!(Number.isFinite(o.timeout) && o.timeout > 0))
      throw new CliError(
        `--timeout ${JSON.stringify(o.timeout)}: expected a positive number of seconds`,
        EXIT.usage,
      );
    body.timeoutSec = o.timeout;
  }
  if (o.retries !== undefined) {
    if (!(Number.isInteger(o.retries) && o.retries >= 0 && o.retries <= 100))
      throw new CliError(
        `--retries ${JSON.stringify(o.retries)}: expected a whole number from 0 to 100`,
        EXIT.usage,
      );
    body.retries = o.retries;
  }
  const t = await ctx.api.call<TaskJson>("POST", o.wait ? "/v1/submit?wait=5000" : "/v1/submit", body);
  if (!o.wait) {
    if (ctx.json) printJson(t);
    else console.log(t.id);
    return EXIT.ok;
  }
  const done = FINAL.has(t.status) ? t : await waitForTask(ctx, t.id);
  if (ctx.json) printJson(done);
  else {
    process.stdout.write(done.output ?? "");
    if (done.status !== "succeeded")
      process.stderr.write(`orch: task ${done.id} ${done.status}: ${done.error ?? ""}\n`);
  }
  return verdictExit(done);
}
