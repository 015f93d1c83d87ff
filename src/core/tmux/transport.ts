/**
 * How the control-mode client reaches a tmux server: a spawned process whose stdin takes
 * command lines and whose stdout carries control-mode output. Locally that is
 * `tmux -S SOCK -C attach -t SESSION`; for another machine it can be `ssh HOST tmux -C ...`
 * without touching the protocol code.
 */
export interface ControlTransport {
  /** Write command text (one or more `\n`-terminated lines). */
  write(text: string): void;
  /** Control-mode output as it arrives. */
  readonly output: ReadableStream<Uint8Array>;
  /** Resolves with the exit code when the transport process ends. */
  readonly exited: Promise<number>;
  /** What the process wrote on stderr so far (for error messages). */
  stderr(): string;
  close(): void;
}

/** Makes a fresh transport for every (re)connection. */
export type TransportFactory = () => ControlTransport;
