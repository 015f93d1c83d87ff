import type { ApprovalPolicy } from "../domain/config.ts";
import type { WorkerState } from "../domain/types.ts";
import type { Store } from "../store/index.ts";
import { workerEvent } from "../store/index.ts";
import type { PaneOps } from "../tmux/pane-ops.ts";
import type { Logger } from "./logger.ts";
import { callApproval } from "./plugin-boundary.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

export interface PermissionPromptsDeps {
  store: Store;
  logger: Logger;
  ops: (rt: WorkerRuntime) => PaneOps;
  /** The answer to a permission prompt when the plugin's own rule (if any) says "ask". */
  approvalPolicy: ApprovalPolicy;
  /** Shows the worker's state (waiting_input while a prompt waits, running once answered). */
  setState(rt: WorkerRuntime, state: WorkerState): void;
  /** A plugin member failed while a task was in flight: the task fails naming it. */
  pluginFailed(rt: WorkerRuntime, error: string): void;
}

/**
 * An interactive agent's permission prompts: answered by the plugin's own rule or the
 * configured policy, or left to a human (`orch approve|deny`); the answer keys go out once
 * the prompt has been on screen for the plugin's `answerDelayMs`.
 */
export class PermissionPrompts {
  constructor(private readonly d: PermissionPromptsDeps) {}

  /** A human (or `orch approve|deny`) answers the permission prompt on screen. */
  answer(rt: WorkerRuntime, decision: "approve" | "deny"): boolean {
    const spec = rt.plugin.approval;
    if (!spec || !rt.paneId) return false;
    rt.promptHandled = true;
    this.sendAnswer(rt, decision);
    this.d.store.events.append(
      workerEvent(`approval.${decision}`, rt.name, { by: "human" }, rt.currentTaskId),
    );
    if (rt.turn) this.d.setState(rt, "running");
    return true;
  }

  /** A permission prompt: the plugin's rule or the policy answers it, or it waits for a human. */
  ask(rt: WorkerRuntime, screen: string): void {
    // once per prompt: later reads of the same question change nothing
    if (rt.promptHandled) return;
    rt.promptHandled = true;
    rt.promptSeenAt = Date.now();
    this.d.setState(rt, "waiting_input");
    const spec = rt.plugin.approval;
    const decided = spec ? callApproval(rt.plugin, screen, this.d.approvalPolicy) : null;
    if (decided && !decided.ok) {
      this.d.logger.log("error", decided.error, { worker: rt.name });
      this.d.pluginFailed(rt, decided.error);
      return;
    }
    const decision = decided?.value ?? "ask";
    if (decision === "ask" || !spec) {
      this.d.logger.log("info", "waiting for a human", {
        worker: rt.name,
        hint: `orch approve ${rt.name} | orch deny ${rt.name}`,
      });
      return;
    }
    this.d.store.events.append(
      workerEvent(
        `approval.${decision}`,
        rt.name,
        { by: "policy", prompt: screen.slice(-400) },
        rt.currentTaskId,
      ),
    );
    this.d.logger.log("info", `permission prompt: ${decision} by policy`, { worker: rt.name });
    this.sendAnswer(rt, decision);
  }

  /**
   * Sends the plugin's keys for `decision` once the prompt has been on screen for its
   * `answerDelayMs`; not at all when, by then, the screen shows no question any more.
   */
  private sendAnswer(rt: WorkerRuntime, decision: "approve" | "deny"): void {
    const spec = rt.plugin.approval!;
    const keys = decision === "approve" ? spec.approveKeys : spec.denyKeys;
    const pane = rt.paneId!;
    const send = () =>
      void this.d
        .ops(rt)
        .sendKeys(pane, keys)
        .catch(() => undefined);
    const wait = rt.promptSeenAt + (spec.answerDelayMs ?? 0) - Date.now();
    if (wait <= 0) {
      send();
      return;
    }
    setTimeout(() => {
      if (rt.paneId === pane && rt.screenState === "waiting_input") send();
    }, wait);
  }
}
