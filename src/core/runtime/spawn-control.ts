import type { ControlTransport } from "../tmux/transport.ts";

/**
 * Spawns `tmux -S SOCKET -C attach-session -t SESSION` as the control-mode transport.
 * `argvPrefix` lets the same protocol run through e.g. `["ssh", "host"]` later.
 */
export function spawnControlTransport(
  socket: string,
  session: string,
  argvPrefix: string[] = [],
): ControlTransport {
  const proc = Bun.spawn([...argvPrefix, "tmux", "-u", "-S", socket, "-C", "attach-session", "-t", session], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  let err = "";
  void (async () => {
    const dec = new TextDecoder();
    for await (const c of proc.stderr) err = (err + dec.decode(c)).slice(-2000);
  })();
  return {
    write(text) {
      proc.stdin.write(text);
      proc.stdin.flush();
    },
    output: proc.stdout,
    exited: proc.exited,
    stderr: () => err,
    close() {
      try {
        proc.stdin.end();
      } catch {}
      proc.kill();
    },
  };
}
