import { parseHookPayload } from "../../core/domain/hook-payload.ts";
import { segment, WORKER_EXPECTED } from "../api-client.ts";
import type { CliContext } from "../context.ts";
import { EXIT } from "../exit-codes.ts";

/** Reads all of stdin, giving up after `ms` (an agent may leave it open). */
async function readStdin(ms: number): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve) => {
    process.stdin.on("data", (c: Buffer) => chunks.push(c));
    process.stdin.on("end", resolve);
    process.stdin.on("error", () => resolve());
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
  process.stdin.pause();
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * `orch hook --worker W EVENT [PAYLOAD]`: what an agent's hook runs. The event's JSON comes as
 * PAYLOAD (Codex's notify) or on stdin (Claude Code's hooks) and goes to the controller. It
 * always exits 0 and never prints, so a missing controller cannot break the agent's turn.
 */
export async function hookCommand(
  ctx: CliContext,
  worker: string,
  event: string,
  payloadArg: string | undefined,
): Promise<number> {
  try {
    const payload = parseHookPayload(payloadArg ?? (await readStdin(1000)));
    await Promise.race([
      ctx.api.raw("POST", `/v1/workers/${segment(worker, "worker", WORKER_EXPECTED)}/hooks`, {
        event,
        payload,
      }),
      new Promise((r) => setTimeout(r, 3000)),
    ]);
  } catch {
    // the controller may be down; the agent must not notice
  }
  return EXIT.ok;
}
