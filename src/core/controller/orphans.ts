import { randomUUID } from "node:crypto";
import { validateWorkerName } from "../domain/names.ts";
import { errorMessage } from "../domain/result.ts";
import type { Worker } from "../domain/types.ts";
import { LOCAL_HOST } from "../hosts/local-host.ts";
import type { PluginRegistry } from "../plugin/registry.ts";
import type { Store } from "../store/index.ts";
import { workerEvent } from "../store/index.ts";
import type { PaneInfo } from "../tmux/operations.ts";
import { panesNotOf } from "../tmux/pane-list.ts";
import type { PaneOps } from "../tmux/pane-ops.ts";
import type { Logger } from "./logger.ts";
import type { OrchPaths } from "./paths.ts";

/** What start-up does with agents' panes no stored worker owns (`orch start --orphans`). */
export const ORPHAN_CHOICES = ["adopt", "kill", "keep"] as const;
export type OrphanChoice = (typeof ORPHAN_CHOICES)[number];

/** What start-up did with one pane no stored worker owned. */
export interface OrphanOutcome {
  paneId: string;
  windowName: string;
  /** The `@orch_worker` id it carried, or null. */
  workerId: string | null;
  /** `adopted`: a worker now (listed, usable); `killed`: its window closed; `kept`: running, unlisted. */
  action: "adopted" | "killed" | "kept";
  /** The worker it is now (adopted). */
  worker?: string;
  /** Why it was kept when asked to adopt or kill it. */
  reason?: string;
}

/** The controller's choice and, once the first connect has settled them, what came of the panes. */
export interface OrphanSettings {
  choice: OrphanChoice;
  outcomes: OrphanOutcome[] | null;
}

export interface OrphanDeps {
  paths: OrchPaths;
  store: Store;
  plugins: PluginRegistry;
  logger: Logger;
  ops: PaneOps;
}

/**
 * The agent type and worker name a window name `TYPE-NAME` stands for (orch names windows so),
 * the longest type of `types` first (`claude-batch-x` is a claude-batch worker `x`); null when no
 * type fits or the rest is no worker name.
 *
 * @example
 * ```ts
 * workerOfWindow("claude-batch-x", ["claude", "claude-batch"]); // { type: "claude-batch", name: "x" }
 * workerOfWindow("vim", ["shell"]); // null
 * ```
 */
export function workerOfWindow(windowName: string, types: string[]): { type: string; name: string } | null {
  for (const type of [...types].sort((a, b) => b.length - a.length)) {
    if (!windowName.startsWith(`${type}-`)) continue;
    const name = windowName.slice(type.length + 1);
    return validateWorkerName(name).ok ? { type, name } : null;
  }
  return null;
}

/**
 * Settles the panes on the tmux server that no stored worker owns (agents added after the
 * backup a restore put back, or a store replaced by hand): `adopt` makes each a worker (its type
 * and name from the window name, its project from where it started; a stored worker of that
 * name and type whose own pane is gone takes it over instead of starting a second agent),
 * `kill` closes their windows, `keep` leaves them running. Whatever stays unlisted is logged as
 * a warning with the list.
 */
export async function settleOrphans(d: OrphanDeps, choice: OrphanChoice): Promise<OrphanOutcome[]> {
  const panes = await d.ops.listPanes();
  const workers = d.store.workers.list();
  const orphans = panesNotOf(panes, new Set(workers.map((w) => w.id)));
  const owned = new Set(panes.flatMap((p) => (p.workerId ? [p.workerId] : [])));
  const outcomes: OrphanOutcome[] = [];
  for (const p of orphans) {
    const base = { paneId: p.paneId, windowName: p.windowName, workerId: p.workerId };
    if (choice === "keep") outcomes.push({ ...base, action: "kept" });
    else if (choice === "kill") outcomes.push({ ...base, ...(await killOrphan(d, p)) });
    else outcomes.push({ ...base, ...(await adoptOrphan(d, p, owned)) });
  }
  const kept = outcomes.filter((o) => o.action === "kept");
  if (kept.length > 0) {
    const list = kept.map((o) => `${o.paneId} ${o.windowName}${o.reason ? ` (${o.reason})` : ""}`);
    d.logger.log(
      "warn",
      `${kept.length} agent pane(s) no worker owns keep running, unlisted: ${list.join(", ")}; orch start --orphans=adopt or --orphans=kill settles them`,
    );
  }
  return outcomes;
}

async function killOrphan(d: OrphanDeps, p: PaneInfo): Promise<Pick<OrphanOutcome, "action" | "reason">> {
  try {
    await d.ops.killWindow(p.paneId);
  } catch (e) {
    return { action: "kept", reason: `cannot kill it: ${errorMessage(e)}` };
  }
  d.logger.log("info", "pane no worker owns killed", { pane: p.paneId, window: p.windowName });
  return { action: "killed" };
}

async function adoptOrphan(
  d: OrphanDeps,
  p: PaneInfo,
  owned: Set<string>,
): Promise<Pick<OrphanOutcome, "action" | "reason" | "worker">> {
  const who = workerOfWindow(p.windowName, d.plugins.names());
  if (!who) return { action: "kept", reason: `its window name names no loaded agent type and worker` };
  const same = d.store.workers.get(who.name);
  try {
    if (same && same.type === who.type && !owned.has(same.id)) {
      // the stored worker's pane is gone and this agent runs under its name: it is that worker now
      await d.ops.setPaneOption(p.paneId, "@orch_worker", same.id);
      owned.add(same.id);
      d.logger.log("info", "pane no worker owned taken over by its stored worker of that name", {
        worker: same.name,
        pane: p.paneId,
      });
      return { action: "adopted", worker: same.name };
    }
    const name = same ? freeName(d.store, who.name) : who.name;
    const w: Worker = {
      id: p.workerId ?? randomUUID(),
      name,
      type: who.type,
      project: p.startPath ?? d.paths.home,
      worktree: null,
      state: "idle",
      paneId: p.paneId,
      currentTask: null,
      restarts: 0,
      createdAt: Date.now(),
      host: LOCAL_HOST,
      error: null,
    };
    if (!p.workerId) await d.ops.setPaneOption(p.paneId, "@orch_worker", w.id);
    // its pipe writes to the log of the name it had, another worker's: adoption opens its own
    if (name !== who.name && p.piped) await d.ops.closePipe(p.paneId);
    d.store.workers.insert(w);
    d.store.events.append(
      workerEvent("worker.added", name, { type: w.type, project: w.project, adopted: p.paneId }),
    );
    d.logger.log("info", "pane no worker owned adopted as a new worker", { worker: name, pane: p.paneId });
    return { action: "adopted", worker: name };
  } catch (e) {
    return { action: "kept", reason: `cannot adopt it: ${errorMessage(e)}` };
  }
}

/** `name-2`, `name-3`, ...: the first a stored worker does not have. */
function freeName(store: Store, name: string): string {
  for (let i = 2; ; i++) {
    const n = `${name.slice(0, 60)}-${i}`;
    if (!store.workers.get(n)) return n;
  }
}
