import type { RunJson } from "../../core/app/runs/run-view.ts";
import { RUN_EXPECTED, segment, TASK_EXPECTED } from "../api-client.ts";
import type { CliContext } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { printJson, printTable, refuseStoreFile, writeOwnFile } from "../output.ts";
import { err, out } from "../stdio.ts";

/** `orch runs`: workflow runs, newest first. */
export async function runsCommand(ctx: CliContext, o: { limit?: number }): Promise<number> {
  const runs = await ctx.api.call<Array<RunJson & { shortId?: string }>>(
    "GET",
    `/v1/runs?limit=${o.limit ?? 50}`,
  );
  if (ctx.json) {
    printJson(runs);
    return EXIT.ok;
  }
  printTable(
    ["ID", "NAME", "STATUS", "STARTED", "FINISHED"],
    runs.map((r) => [r.shortId ?? r.id, r.name, r.status, r.startedAt ?? "-", r.finishedAt ?? "-"]),
  );
  return EXIT.ok;
}

/** `orch report RUN --format md|json|html [--output FILE]`: the run's report. */
export async function reportCommand(
  ctx: CliContext,
  run: string,
  o: { format?: string; output?: string },
): Promise<number> {
  const format = o.format ?? (ctx.json ? "json" : "md");
  if (!["md", "json", "html"].includes(format))
    throw new CliError(`--format ${JSON.stringify(format)}: expected md, json or html`, EXIT.usage);
  if (o.output) refuseStoreFile(ctx.home, o.output, "write the report to");
  const res = await ctx.api.raw(
    "GET",
    `/v1/runs/${segment(run, "run", RUN_EXPECTED)}/report?format=${format}`,
  );
  if (!res.ok) {
    const message = ((await res.json().catch(() => ({}))) as { error?: string }).error ?? res.statusText;
    throw new CliError(message, res.status >= 500 ? EXIT.unavailable : EXIT.usage);
  }
  const text = await res.text();
  if (o.output) {
    writeOwnFile(o.output, text, ctx.home);
    err.line(`wrote ${o.output}`);
  } else out.write(text);
  return EXIT.ok;
}

/** `orch cancel TASK|--run RUN`: cancels a task, or what is left of a run. */
export async function cancelCommand(ctx: CliContext, id: string, o: { run?: boolean }): Promise<number> {
  if (o.run) {
    const r = await ctx.api.call<Record<string, number>>(
      "POST",
      `/v1/runs/${segment(id, "run", RUN_EXPECTED)}/cancel`,
    );
    if (ctx.json) printJson(r);
    else
      out.line(
        `cancelled ${r.cancelledTasks} queued task(s), interrupted ${r.interruptedTasks}, ${r.cancelledSteps} step(s) not started`,
      );
    return EXIT.ok;
  }
  const t = await ctx.api.call<{ id: string; status: string }>(
    "POST",
    `/v1/tasks/${segment(id, "task", TASK_EXPECTED)}/cancel`,
  );
  if (ctx.json) printJson(t);
  else out.line(`${t.id} ${t.status}`);
  return EXIT.ok;
}
