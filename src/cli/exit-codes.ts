/** The CLI contract's exit codes (design.md). */
export const EXIT = {
  ok: 0,
  taskFailed: 1,
  usage: 2,
  unavailable: 3,
  timedOut: 124,
  /** Ctrl-C: what was left was cancelled. */
  interrupted: 130,
  /**
   * stdout or stderr is a pipe whose reader went away (`orch results | head -1`): quietly,
   * 128 + SIGPIPE, what a shell shows for a Unix tool such as `seq 1 1000000 | head -1`.
   */
  brokenPipe: 141,
} as const;

/** An error the CLI reports as one line on stderr, exiting with `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = "CliError";
  }
}
