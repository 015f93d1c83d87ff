/** `orch events [-f]`: what happened to workers and tasks, from the controller's event log. */
import type { OrchEvent } from "../../core/domain/types.ts";
import type { CliContext } from "../context.ts";
import { EXIT } from "../exit-codes.ts";
import { reconnecting } from "../reconnect.ts";
import { out } from "../stdio.ts";

/** One event as a line: time, kind, worker, task (its whole id, as a log keeps it), data. */
export function eventLine(e: OrchEvent): string {
  const data = Object.keys(e.data ?? {}).length ? ` ${JSON.stringify(e.data)}` : "";
  return `${new Date(e.at).toISOString()}  ${e.kind}${e.worker ? `  ${e.worker}` : ""}${e.task ? `  ${e.task}` : ""}${data}`;
}

/**
 * Prints the newest `limit` events; with `follow`, then every new one as it happens (until
 * Ctrl-C), across restarts of the controller: it asks the next one for the events after the
 * last it printed (ids are the store's, so none is printed twice or left out). `--json` prints
 * JSON Lines, one event per line.
 */
export async function eventsCommand(
  ctx: CliContext,
  opts: { follow: boolean; limit: number },
): Promise<number> {
  const show = (e: OrchEvent) => out.line(ctx.json ? JSON.stringify(e) : eventLine(e));
  const first = await ctx.api.call<OrchEvent[]>("GET", `/v1/events?limit=${opts.limit}`);
  for (const e of first) show(e);
  if (!opts.follow) return EXIT.ok;
  let last = first.at(-1)?.id ?? 0;
  for (;;) {
    const after = last;
    const next = await reconnecting(ctx, () =>
      ctx.api.call<OrchEvent[]>("GET", `/v1/events?after=${after}&limit=1000&wait=30000`),
    );
    for (const e of next) show(e);
    last = next.at(-1)?.id ?? last;
  }
}
