import { resolve } from "node:path";
import { parsePriority } from "../../core/domain/priority.ts";
import type { CliContext } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { parseLabels } from "../labels.ts";
import { printQueued, queueTask, timeoutAndRetries } from "./tasks.ts";

/** Flags of `orch submit`, as cac gives them. */
export interface SubmitOptions {
  type?: string;
  project?: string;
  priority?: string;
  tag?: string[];
  timeout?: number;
  retries?: number;
  wait?: boolean;
  host?: string;
  label?: string[];
}

/**
 * `orch submit TEXT`: queues a task for whichever worker fits (the scheduler picks or starts
 * one); prints the task id, or with --wait its output and exits with its verdict.
 */
export async function submitCommand(ctx: CliContext, text: string, o: SubmitOptions): Promise<number> {
  const body: Record<string, unknown> = { text, cwd: process.cwd() };
  if (o.type !== undefined) body.type = o.type;
  // a task for another host names a directory there: sent as it is (it must be absolute)
  const elsewhere = (o.host !== undefined && o.host !== "local") || (o.label?.length ?? 0) > 0;
  if (o.project !== undefined) body.project = elsewhere ? o.project : resolve(o.project);
  if (o.host !== undefined) body.host = o.host;
  if (o.label?.length) body.labels = parseLabels(o.label);
  if (o.tag?.length) body.tags = o.tag;
  if (o.priority !== undefined) {
    const p = parsePriority(o.priority);
    if (!p.ok) throw new CliError(`--priority: ${p.error}`, EXIT.usage);
    body.priority = o.priority.toLowerCase();
  }
  Object.assign(body, timeoutAndRetries(o));
  const t = await queueTask(ctx, "/v1/submit", body, "");
  return printQueued(ctx, t, Boolean(o.wait));
}
