import type { PipedProcess } from "../runtime/spawn-pipe.ts";

/**
 * How the control-mode client reaches a tmux server: a spawned process whose stdin takes
 * command lines and whose stdout carries control-mode output. Locally that is
 * `tmux -S SOCK -C attach -t SESSION`; for another machine it can be `ssh HOST tmux -C ...`
 * without touching the protocol code.
 */
export type ControlTransport = PipedProcess;

/** Makes a fresh transport for every (re)connection. */
export type TransportFactory = () => ControlTransport;
