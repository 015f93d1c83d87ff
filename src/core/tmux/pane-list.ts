/** The panes of orch's tmux session as `list-panes` reports them, over control mode or in one shot. */
import { execa } from "execa";
import type { PaneInfo } from "./operations.ts";

const SEP = "\u001f";

/** The `list-panes -F` format {@link parsePaneLines} reads. */
export const PANE_FORMAT = [
  "#{pane_id}",
  "#{window_id}",
  "#{window_name}",
  "#{pane_pid}",
  "#{pane_dead}",
  "#{pane_dead_status}",
  "#{@orch_worker}",
  "#{pane_pipe}",
  "#{pane_dead_signal}",
  "#{pane_start_path}",
  "#{@orch_sent}",
  "#{@orch_log}",
].join(SEP);

/** `list-panes -F PANE_FORMAT` lines as panes (lines of another shape are skipped). */
export function parsePaneLines(lines: string[]): PaneInfo[] {
  return lines
    .filter((l) => l.includes(SEP))
    .map((l) => {
      const [
        paneId = "",
        windowId = "",
        windowName = "",
        pid = "0",
        dead = "0",
        status = "",
        worker = "",
        pipe = "0",
        signal = "",
        startPath = "",
        sent = "",
        log = "",
      ] = l.split(SEP);
      return {
        paneId,
        windowId,
        windowName,
        pid: Number(pid),
        dead: dead === "1",
        deadStatus: status === "" ? null : Number(status),
        deadSignal: signal === "" || signal === "0" ? null : signal,
        workerId: worker === "" ? null : worker,
        piped: pipe === "1",
        logFollowsRename: log === "follows-rename",
        sent: sent === "" ? null : sent,
        ...(startPath ? { startPath } : {}),
      };
    });
}

/**
 * The panes of `session` on the tmux server at `socket`, asked once without a control client
 * (for commands that run while the controller is stopped); none when no server or session is there.
 *
 * @example
 * ```ts
 * await listSessionPanes(`${home}/tmux.sock`, "orch"); // [{ paneId: "%3", windowName: "shell-x", ... }]
 * ```
 */
export async function listSessionPanes(socket: string, session: string): Promise<PaneInfo[]> {
  const r = await execa(
    "tmux",
    ["-u", "-S", socket, "list-panes", "-s", "-t", `=${session}:`, "-F", PANE_FORMAT],
    {
      reject: false,
    },
  );
  if (r.exitCode !== 0) return [];
  return parsePaneLines(r.stdout.split("\n"));
}

/** The name of window 0 of orch's session: the controller's live view, no worker's. */
export const CONTROLLER_WINDOW = "controller";

/**
 * The panes that belong to none of the workers whose ids are `known`: panes carrying another
 * `@orch_worker` id or none (the controller's own view window left out).
 *
 * @example
 * ```ts
 * panesNotOf(panes, new Set(["3f0c…"])); // [{ paneId: "%4", windowName: "shell-x", workerId: "9a1b…", ... }]
 * ```
 */
export function panesNotOf(panes: PaneInfo[], known: ReadonlySet<string>): PaneInfo[] {
  return panes.filter((p) => (p.workerId ? !known.has(p.workerId) : p.windowName !== CONTROLLER_WINDOW));
}
