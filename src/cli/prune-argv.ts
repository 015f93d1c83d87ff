import type { CAC } from "cac";
import { makeContext } from "./context.ts";
import { pruneCommand } from "./lazy-commands.ts";

/** `orch prune`'s command line (its code loads only when it runs: commands/prune.ts). */
export function addPruneCommand(cli: CAC): void {
  cli
    .command("prune", "Remove final tasks, their outputs, events and old pane logs older than an age")
    .option("--older-than <age>", "e.g. 30d, 12h, 90m, 2w (default: retentionDays in the config)")
    .option("--dry-run", "only say what would be removed")
    .action((o: Record<string, unknown> & { home?: string; json?: boolean }) =>
      pruneCommand(makeContext(o), { olderThan: o.olderThan, dryRun: o.dryRun }),
    );
}
