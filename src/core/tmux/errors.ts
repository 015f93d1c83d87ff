/** tmux answered a command with `%error`. */
export class TmuxCommandError extends Error {
  constructor(
    readonly command: string,
    readonly lines: string[],
  ) {
    super(`tmux: ${lines.join(" ").trim() || "command failed"} (command: ${command.slice(0, 200)})`);
    this.name = "TmuxCommandError";
  }
}

/** tmux did not answer a command within its deadline. */
export class TmuxTimeoutError extends Error {
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(`tmux did not answer within ${timeoutMs} ms (command: ${command.slice(0, 200)})`);
    this.name = "TmuxTimeoutError";
  }
}

/** The control-mode connection is closed or the tmux server is gone. */
export class TmuxUnavailableError extends Error {
  constructor(reason: string) {
    super(`tmux unavailable: ${reason}`);
    this.name = "TmuxUnavailableError";
  }
}
