import { TmuxUnavailableError } from "./errors.ts";
import type { PaneOps } from "./pane-ops.ts";

/**
 * The pane operations of a tmux server that cannot be reached now (a host whose link is
 * down): every call is rejected with {@link TmuxUnavailableError} naming why, as a closed
 * control connection's calls are, so callers handle both alike.
 */
export function offlinePaneOps(why: () => string): PaneOps {
  const no = () => Promise.reject(new TmuxUnavailableError(why()));
  return {
    newWindow: no,
    setPaneOption: no,
    respawnPane: no,
    killWindow: no,
    sendText: no,
    paste: no,
    sendKeys: no,
    capture: no,
    pipeToFile: no,
    closePipe: no,
    listPanes: no,
  };
}
