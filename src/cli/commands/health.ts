/** `orch health-check`: one health pass now, a verdict per worker. */
import type { WorkerHealth } from "../../core/controller/health-pass.ts";
import type { CliContext } from "../context.ts";
import { EXIT } from "../exit-codes.ts";
import { printJson, printTable } from "../output.ts";
import { out } from "../stdio.ts";

/**
 * Runs a health pass in the controller (which revives what it can) and prints each worker's
 * verdict: healthy, stuck, dead, revived, gave_up or unreachable (its host is offline), with the reason. Exits 1 when a worker is
 * left stuck, dead or given up, so a monitor can alert on it.
 */
export async function healthCheckCommand(ctx: CliContext): Promise<number> {
  const report = await ctx.api.call<WorkerHealth[]>("POST", "/v1/health-check", {});
  if (ctx.json) printJson(report);
  else if (report.length === 0) out.line("no workers");
  else
    printTable(
      ["WORKER", "VERDICT", "REASON"],
      report.map((r) => [r.worker, r.verdict, r.reason]),
    );
  const bad = report.some((r) => r.verdict !== "healthy" && r.verdict !== "revived");
  return bad ? EXIT.taskFailed : EXIT.ok;
}
