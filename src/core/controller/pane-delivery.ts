import { setTimeout as sleep } from "node:timers/promises";
import type { Delivery } from "../plugin/contract.ts";
import type { PaneOps } from "../tmux/pane-ops.ts";

/**
 * Sends a delivery's clearing keys, pastes its text and submits it; without a pause all go to
 * tmux in one write, in order (nothing typed meanwhile can slip in between).
 *
 * @example
 * await deliverToPane(ops, "%3", { clearKeys: ["C-u"], text: "make test", submit: ["Enter"] });
 */
export async function deliverToPane(ops: PaneOps, paneId: string, d: Delivery): Promise<void> {
  const cleared = d.clearKeys?.length ? ops.sendKeys(paneId, d.clearKeys) : Promise.resolve();
  const pasted = ops.paste(paneId, d.text);
  if (d.submitDelayMs) {
    await pasted;
    await sleep(d.submitDelayMs);
  }
  const submitted = d.submit.length ? ops.sendKeys(paneId, d.submit) : Promise.resolve();
  await Promise.all([cleared, pasted, submitted]);
}
