/** A spawned process driven through its pipes: what the control-mode transport is made of. */
export interface PipedProcess {
  /** Writes text to stdin at once. */
  write(text: string): void;
  readonly output: ReadableStream<Uint8Array>;
  readonly exited: Promise<number>;
  /** The last 2,000 characters of stderr, for error messages. */
  stderr(): string;
  /** Ends stdin and kills the process. */
  close(): void;
}

/**
 * Spawns `argv` with stdin, stdout and stderr on pipes.
 *
 * @example
 * const p = spawnPipe(["tmux", "-C", "attach"]);
 * p.write("list-panes\n");
 */
export function spawnPipe(argv: string[]): PipedProcess {
  const proc = Bun.spawn(argv, { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
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
