/** The CLI contract's exit codes (design.md). */
export const EXIT = {
  ok: 0,
  taskFailed: 1,
  usage: 2,
  unavailable: 3,
  timedOut: 124,
  /** Ctrl-C: what was left was cancelled. */
  interrupted: 130,
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
