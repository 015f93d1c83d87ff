/** A short-lived command fed one input on stdin: what the event notifier runs. */
export interface RunningCommand {
  readonly pid: number;
  /** Its exit code; killed by a signal: 128 + the signal's number. */
  readonly exited: Promise<number>;
  /** The last 500 characters it wrote to stderr so far. */
  stderr(): string;
  /** SIGKILLs it and everything it started (it runs in a process group of its own). */
  kill(): void;
}

/**
 * Spawns `argv` (no shell) in a process group of its own, with `input` on stdin, stdout
 * discarded and `env` as its whole environment. Throws when it cannot be spawned (e.g. ENOENT).
 *
 * @example
 * const c = runCommand(["sh", "-c", "cat >> /tmp/events"], { input: '{"id":1}\n', env: process.env });
 * await c.exited; // 0
 */
export function runCommand(
  argv: string[],
  opts: { input: string; env: Record<string, string | undefined> },
): RunningCommand {
  const proc = Bun.spawn(argv, {
    stdin: new TextEncoder().encode(opts.input),
    stdout: "ignore",
    stderr: "pipe",
    env: opts.env,
    detached: true,
  });
  let err = "";
  const readErr = (async () => {
    try {
      const dec = new TextDecoder();
      for await (const c of proc.stderr) err = (err + dec.decode(c, { stream: true })).slice(-500);
    } catch {}
  })();
  // stderr is read to its end, unless something it started keeps it open: then 100 ms at most
  const exited = proc.exited.then(async (code) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([readErr, new Promise((r) => (timer = setTimeout(r, 100)))]);
    clearTimeout(timer);
    return code;
  });
  return {
    pid: proc.pid,
    exited,
    stderr: () => err,
    kill() {
      try {
        process.kill(-proc.pid, "SIGKILL");
      } catch {
        proc.kill("SIGKILL");
      }
    },
  };
}
