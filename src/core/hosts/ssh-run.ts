import { execa } from "execa";
import { type SshSettings, type SshTarget, sshControlArgv } from "./ssh-command.ts";

/** What one ssh call gave: its exit code (null when it was killed), output and whether it ran out of time. */
export interface SshRun {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs one ssh argv (as sshArgv makes it) with nothing on stdin and a deadline, after which it
 * is killed. Never throws: a failure is in the result.
 *
 * @example
 * ```ts
 * const r = await runSsh(sshArgv(settings, target, ["tmux", "-V"]), 5000);
 * if (!r.timedOut && r.code === 0) r.stdout; // "tmux 3.3a\n"
 * ```
 */
export async function runSsh(argv: string[], timeoutMs: number): Promise<SshRun> {
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, timeout: timeoutMs, stdin: "ignore" });
  return {
    code: r.exitCode ?? null,
    stdout: String(r.stdout ?? ""),
    stderr: String(r.stderr ?? ""),
    timedOut: r.timedOut === true,
  };
}

/** Asks a host's ControlMaster `check` or `exit`, 3 s at most (a frozen master never answers). */
export function askMaster(s: SshSettings, t: SshTarget, op: "check" | "exit"): Promise<SshRun> {
  return runSsh(sshControlArgv(s, t, op), 3000);
}
