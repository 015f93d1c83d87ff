/** `orch logs WORKER [-f]`: what a worker's pane printed (its pipe-pane log), ANSI removed. */
import { segment, WORKER_EXPECTED } from "../api-client.ts";
import type { CliContext } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { printJson } from "../output.ts";
import { controllerGone, reconnecting } from "../reconnect.ts";
import { out } from "../stdio.ts";

/** The log's answer, or the controller's words when it knows no such worker (404). */
async function openLog(ctx: CliContext, path: string): Promise<Response | { unknown: string }> {
  const res = await ctx.api.raw("GET", path);
  if (res.ok) return res;
  const message = ((await res.json().catch(() => ({}))) as { error?: string }).error ?? `${res.status}`;
  if (res.status === 404) return { unknown: message };
  throw new CliError(message, res.status >= 500 ? EXIT.unavailable : EXIT.usage);
}

/**
 * Prints the worker's log; with `follow`, then what the pane appends, until the worker is
 * killed (the controller ends the stream) or Ctrl-C. A restart of the controller is waited
 * for (reconnect.ts) and the log goes on from the byte it had reached; a worker removed
 * meanwhile ends it too.
 */
export async function logsCommand(ctx: CliContext, worker: string, o: { follow?: boolean }): Promise<number> {
  const { StreamCleaner } = await import("../../core/domain/clean-stream.ts");
  const base = `/v1/workers/${segment(worker, "worker", WORKER_EXPECTED)}/log`;
  if (ctx.json) {
    const res = await openLog(ctx, base);
    if (!(res instanceof Response)) throw new CliError(res.unknown, EXIT.usage);
    const { cleanOutput } = await import("../../core/domain/text.ts");
    printJson({ worker, log: cleanOutput(await res.text()) });
    return EXIT.ok;
  }
  const clean = new StreamCleaner();
  const decoder = new TextDecoder();
  let from = 0;
  for (let first = true; ; first = false) {
    const path = o.follow ? `${base}?follow=1&from=${from}` : base;
    const res = first ? await openLog(ctx, path) : await reconnecting(ctx, () => openLog(ctx, path));
    if (!(res instanceof Response)) {
      if (first) throw new CliError(res.unknown, EXIT.usage);
      break; // removed while the controller was away
    }
    try {
      for await (const chunk of res.body ?? []) {
        from += chunk.length;
        out.write(clean.push(decoder.decode(chunk, { stream: true })));
      }
      break; // the whole log; with -f, the controller ended it: the worker was killed
    } catch (e) {
      if (!o.follow || !controllerGone(e, ctx.api.socket)) throw e;
    }
  }
  out.write(clean.push(decoder.decode()) + clean.flush());
  return EXIT.ok;
}
