import { setTimeout as sleep } from "node:timers/promises";
import type { Delivery } from "../plugin/contract.ts";
import type { PaneInfo } from "../tmux/operations.ts";
import type { PaneOps, PaneTag } from "../tmux/pane-ops.ts";

/** The pane option that names the last task attempt whose delivery tmux ran to its end. */
export const SENT_OPTION = "@orch_sent";

/** What a worker's new pane says in `@orch_sent`: no task typed yet (unset: an older orch's pane). */
export const NOTHING_SENT = "-";

/** The `@orch_sent` tag of one attempt of a task. */
export function sentTag(taskId: string, attempt: number): PaneTag {
  return { option: SENT_OPTION, value: `${taskId}.${attempt}` };
}

/**
 * Whether the pane shows that this attempt was never submitted: its `@orch_sent` names
 * something else. An unset option (a pane an older orch made) proves nothing: false.
 */
export function neverSubmitted(pane: PaneInfo, taskId: string, attempt: number): boolean {
  return pane.sent !== null && pane.sent !== sentTag(taskId, attempt).value;
}

/**
 * Sends a delivery's clearing keys, pastes its text and submits it; without a pause all go to
 * tmux in one write, in order (nothing typed meanwhile can slip in between). With `tag`, the
 * last of them (the submit keys, or the paste when there are none) sets that pane option in
 * the same tmux command list: if the controller dies on the way, the pane still tells
 * whether the task was submitted (see {@link neverSubmitted}).
 *
 * @example
 * await deliverToPane(ops, "%3", { clearKeys: ["C-u"], text: "make test", submit: ["Enter"] });
 */
export async function deliverToPane(ops: PaneOps, paneId: string, d: Delivery, tag?: PaneTag): Promise<void> {
  const cleared = d.clearKeys?.length ? ops.sendKeys(paneId, d.clearKeys) : Promise.resolve();
  const pasted = ops.paste(paneId, d.text, d.submit.length ? undefined : tag);
  if (d.submitDelayMs) {
    await pasted;
    await sleep(d.submitDelayMs);
  }
  const submitted = d.submit.length ? ops.sendKeys(paneId, d.submit, tag) : Promise.resolve();
  await Promise.all([cleared, pasted, submitted]);
}
