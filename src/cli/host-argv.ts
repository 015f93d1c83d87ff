import type { CAC } from "cac";
import { makeContext } from "./context.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { hostCommand } from "./lazy-commands.ts";

type Opts = Record<string, unknown> & { home?: string; json?: boolean };

/** `--label` given once, many times, or not at all, as a list of strings. */
function labelList(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** `orch host`'s command line (its code loads only when it runs: commands/hosts.ts). */
export function addHostCommand(cli: CAC): void {
  cli
    .command(
      "host <action> [name] [dest]",
      "Machines over OpenSSH: host add NAME DEST | list | show NAME | check [NAME] | remove NAME [--kill-workers]",
    )
    .option("--label <key=value>", "host add: a label pool tasks can ask for (repeatable)")
    .option("--max-workers <n>", "host add: most live workers on this host (default: maxWorkers)")
    .option("--accept-new", "host add: accept the host's key if ssh knows none for it yet")
    .option(
      "--kill-workers",
      "host remove: kill the host's workers first (refused otherwise while they live)",
    )
    .action(async (action: string, name: string | undefined, dest: string | undefined, o: Opts) => {
      let maxWorkers: number | undefined;
      if (o.maxWorkers !== undefined) {
        const n = Number(o.maxWorkers);
        if (!Number.isInteger(n) || n < 1 || n > 10_000)
          throw new CliError(
            `--max-workers "${String(o.maxWorkers)}": expected a whole number from 1 to 10000`,
            EXIT.usage,
          );
        maxWorkers = n;
      }
      return hostCommand(makeContext(o), {
        action,
        ...(name !== undefined ? { name: String(name) } : {}),
        ...(dest !== undefined ? { dest: String(dest) } : {}),
        labels: labelList(o.label),
        ...(maxWorkers !== undefined ? { maxWorkers } : {}),
        acceptNew: Boolean(o.acceptNew),
        killWorkers: Boolean(o.killWorkers),
      });
    });
}
