import { loadConfig } from "../../controller/load-config.ts";
import { orchPaths } from "../../controller/paths.ts";
import { openReadonly } from "../../runtime/sqlite-connection.ts";
import { listSessionPanes, panesNotOf } from "../../tmux/pane-list.ts";

/** An agent's pane on orch's tmux server that no worker of the store owns. */
export interface UnknownPane {
  paneId: string;
  windowId: string;
  /** `TYPE-NAME` of the worker that opened it, e.g. `shell-x`. */
  windowName: string;
  /** The `@orch_worker` id it carries (a worker the store does not have), or null. */
  workerId: string | null;
  dead: boolean;
}

/**
 * The panes on the tmux server of `home` that the store in `home` knows no worker of (after
 * `orch restore`, the agents added since the backup): the controller is stopped, so tmux is
 * asked directly; none when no server runs. `orch start` adopts or kills them (`--orphans`).
 *
 * @example
 * ```ts
 * await panesUnknownToStore("/home/me/.local/state/orch", process.env);
 * // [{ paneId: "%4", windowId: "@3", windowName: "shell-x", workerId: "9a1b…", dead: false }]
 * ```
 */
export async function panesUnknownToStore(
  home: string,
  env: Record<string, string | undefined>,
): Promise<UnknownPane[]> {
  const paths = orchPaths(home);
  const cfg = loadConfig(paths.config, env);
  if (!cfg.ok) return [];
  let known: Set<string>;
  try {
    const db = openReadonly(paths.db);
    try {
      known = new Set((db.query("SELECT id FROM workers").all() as { id: string }[]).map((r) => r.id));
    } finally {
      db.close();
    }
  } catch {
    return []; // no store to compare with: restoreStore has said what is wrong with it
  }
  const panes = await listSessionPanes(paths.tmuxSocket, cfg.value.sessionName);
  return panesNotOf(panes, known).map((p) => ({
    paneId: p.paneId,
    windowId: p.windowId,
    windowName: p.windowName,
    workerId: p.workerId,
    dead: p.dead,
  }));
}
