import { spawnPipe } from "../runtime/spawn-pipe.ts";
import type { ControlTransport } from "./transport.ts";

/**
 * The control-mode transport to a local tmux server: `tmux -u -S SOCKET -C attach -t SESSION`.
 * `argvPrefix` lets the same protocol run through e.g. `["ssh", "host"]` later.
 */
export function localControlTransport(
  socket: string,
  session: string,
  argvPrefix: string[] = [],
): ControlTransport {
  return spawnPipe([...argvPrefix, "tmux", "-u", "-S", socket, "-C", "attach-session", "-t", session]);
}
