import { execa } from "execa";
import { type SshSettings, type SshTarget, sshControlArgv } from "./ssh-command.ts";

/** What one ssh call gave: its exit code (null when it was killed), output and whether it ran out of time. */
export interface SshRun {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** What to give one ssh call besides its argv: bytes for its stdin, a file for its stdout. */
export interface SshIo {
  input?: string | Uint8Array;
  /** stdout goes to this (local) file, appended, instead of into the result. */
  appendTo?: string;
}

/**
 * Runs one ssh argv (as sshArgv makes it) with a deadline, after which it is killed; stdin is
 * `io.input` or nothing. Never throws: a failure is in the result.
 *
 * @example
 * ```ts
 * const r = await runSsh(sshArgv(settings, target, ["tmux", "-V"]), 5000);
 * if (!r.timedOut && r.code === 0) r.stdout; // "tmux 3.3a\n"
 * ```
 */
export async function runSsh(argv: string[], timeoutMs: number, io: SshIo = {}): Promise<SshRun> {
  const r = await execa(argv[0]!, argv.slice(1), {
    reject: false,
    timeout: timeoutMs,
    ...(io.input !== undefined ? { input: io.input } : { stdin: "ignore" as const }),
    ...(io.appendTo !== undefined ? { stdout: { file: io.appendTo, append: true } } : {}),
  });
  return {
    code: r.exitCode ?? null,
    stdout: String(r.stdout ?? ""),
    stderr: String(r.stderr ?? ""),
    timedOut: r.timedOut === true,
  };
}

/** Why an ssh call failed, in a few words: ssh's own message, its exit code, or its deadline. */
export function sshFailure(r: SshRun, timeoutMs: number): string {
  return r.timedOut ? `no answer within ${timeoutMs / 1000} s` : r.stderr.trim() || `exit ${r.code}`;
}

/** Asks a host's ControlMaster `check` or `exit`, 3 s at most (a frozen master never answers). */
export function askMaster(s: SshSettings, t: SshTarget, op: "check" | "exit"): Promise<SshRun> {
  return runSsh(sshControlArgv(s, t, op), 3000);
}
