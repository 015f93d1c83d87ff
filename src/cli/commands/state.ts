import { resolve } from "node:path";
import { restoreStore } from "../../core/app/state/restore.ts";
import { panesUnknownToStore } from "../../core/app/state/unknown-panes.ts";
import { orchPaths } from "../../core/controller/paths.ts";
import type { CliContext } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { printJson, refuseStoreFile, writeOwnFile } from "../output.ts";
import { err, out } from "../stdio.ts";

/** `orch backup FILE`: a consistent copy of the store, taken by the running controller. */
export async function backupCommand(ctx: CliContext, file: string): Promise<number> {
  refuseStoreFile(ctx.home, file, "back up the store to");
  const r = await ctx.api.call<{ file: string }>("POST", "/v1/backup", { file: resolve(file) });
  if (ctx.json) printJson(r);
  else out.line(`backed up the store to ${r.file}`);
  return EXIT.ok;
}

/** `orch restore FILE`: puts a backup in place of the store; the controller must be stopped. */
export async function restoreCommand(ctx: CliContext, file: string): Promise<number> {
  if (await ctx.api.alive())
    throw new CliError(
      "the controller is running: stop it first (orch stop; agents keep running), then orch restore FILE and orch start",
      EXIT.usage,
    );
  refuseStoreFile(ctx.home, file, "restore the store from");
  const r = restoreStore(resolve(file), orchPaths(ctx.home).db);
  if (!r.ok) throw new CliError(r.error, EXIT.usage);
  // agents still running that the restored store has no worker for
  const unknownPanes = await panesUnknownToStore(ctx.home, process.env);
  if (ctx.json) printJson({ ...r.value, unknownPanes });
  else {
    out.line(
      `restored ${file}: ${r.value.workers} worker(s), ${r.value.tasks} task(s)${r.value.previous ? `; the previous store is kept as ${r.value.previous}` : ""}`,
    );
    if (unknownPanes.length > 0) {
      const list = unknownPanes.map((p) => `${p.paneId} ${p.windowName}${p.dead ? " (dead)" : ""}`);
      out.line(
        `${unknownPanes.length} agent pane(s) on the tmux server are not in the restored store: ${list.join(", ")}; orch start adopts them as workers (--orphans=kill ends them, --orphans=keep leaves them running unlisted)`,
      );
    }
  }
  return EXIT.ok;
}

/** `orch export-state [FILE]`: workers, tasks and runs as one JSON document (the seed's state.json). */
export async function exportStateCommand(ctx: CliContext, file: string | undefined): Promise<number> {
  if (file) refuseStoreFile(ctx.home, file, "write the export to");
  const state = await ctx.api.call<unknown>("GET", "/v1/state");
  const text = `${JSON.stringify(state, null, 2)}\n`;
  if (file) {
    writeOwnFile(file, text, ctx.home);
    err.line(`wrote ${file}`);
  } else out.write(text);
  return EXIT.ok;
}
