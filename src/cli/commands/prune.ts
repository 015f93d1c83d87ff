import type { PruneReport } from "../../core/controller/retention.ts";
import type { CliContext } from "../context.ts";
import { EXIT } from "../exit-codes.ts";
import { durationFlag } from "../flags.ts";
import { printJson } from "../output.ts";
import { out } from "../stdio.ts";

/** Bytes as people read them: `512 B`, `3.4 MB`. */
function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/**
 * `orch prune [--older-than AGE] [--dry-run]`: removes final tasks finished before AGE ago
 * (default: the config's retentionDays), their outputs and attempts, events and workflow runs
 * from before then, and pane logs no one needs; never a task that is queued or running.
 */
export async function pruneCommand(
  ctx: CliContext,
  o: { olderThan?: unknown; dryRun?: unknown },
): Promise<number> {
  const body = {
    ...(o.olderThan !== undefined ? { olderThanSec: durationFlag(o.olderThan, "--older-than") } : {}),
    ...(o.dryRun ? { dryRun: true } : {}),
  };
  const r = await ctx.api.call<PruneReport>("POST", "/v1/prune", body);
  if (ctx.json) {
    printJson(r);
    return EXIT.ok;
  }
  const verb = r.dryRun ? "would remove" : "removed";
  out.line(
    `${verb} ${r.tasks.length} tasks, ${r.events} events, ${r.runs} runs and ${r.files.length} files (${size(r.bytes)}) from before ${r.cutoff}`,
  );
  for (const f of r.files) out.line(`  ${f}`);
  return EXIT.ok;
}
