import { fail, ok, type Result } from "../domain/result.ts";
import { type SshSettings, type SshTarget, sshArgv } from "./ssh-command.ts";
import { runSsh } from "./ssh-run.ts";

/** What a host has, as `orch host add` and `host check` found it. */
export interface HostFacts {
  /** `tmux -V`'s version ("3.3a"), or null when there is none. */
  tmux: string | null;
  bash: boolean;
  perl: boolean;
  /** The agent CLIs on its PATH (claude, codex, gemini, opencode). */
  agents: string[];
  /** `uname -sm`, e.g. "Linux x86_64". */
  os: string;
  /** When it was looked at (ms since the epoch). */
  checkedAt: number;
}

/** What a host lacks, each a line for the user; empty when it can run workers. */
export function hostProblems(f: HostFacts): string[] {
  const problems: string[] = [];
  if (f.tmux === null) problems.push("tmux is not installed (orch needs tmux >= 3.2 there)");
  else if (!tmuxAtLeast(f.tmux, 3, 2)) problems.push(`tmux ${f.tmux} is too old (orch needs tmux >= 3.2)`);
  if (!f.bash) problems.push("bash is not installed (shell workers run bash)");
  if (!f.perl)
    problems.push("perl is not installed (pane logs are masked with perl before they are written)");
  return problems;
}

/** Whether a `tmux -V` version such as "3.3a" or "next-3.5" is at least major.minor. */
export function tmuxAtLeast(version: string, major: number, minor: number): boolean {
  const m = /(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a > major || (a === major && b >= minor);
}

/** The PATH and locale every remote command gets (a non-interactive ssh has a minimal one). */
export const REMOTE_ENV =
  'export PATH="$HOME/.local/bin:$HOME/bin:/usr/local/bin:/usr/bin:/bin:$PATH" LANG=C.UTF-8;';

/** One sh script that reports everything a probe asks, one `key=value` line each. */
const PROBE_SCRIPT = `${REMOTE_ENV}
echo "tmux=$(tmux -V 2>/dev/null)"
command -v bash >/dev/null 2>&1 && echo bash=1
command -v perl >/dev/null 2>&1 && echo perl=1
for a in claude codex gemini opencode; do command -v "$a" >/dev/null 2>&1 && echo "agent=$a"; done
echo "os=$(uname -sm)"
echo orch-probe=done`;

/** Reads the probe script's output; null when it did not run to its end. */
export function parseProbe(stdout: string, now: number): HostFacts | null {
  const f: HostFacts = { tmux: null, bash: false, perl: false, agents: [], os: "", checkedAt: now };
  let done = false;
  for (const line of stdout.split("\n")) {
    const i = line.indexOf("=");
    if (i < 0) continue;
    const [k, v] = [line.slice(0, i), line.slice(i + 1).trim()];
    if (k === "tmux") f.tmux = v.replace(/^tmux\s+/, "") || null;
    else if (k === "bash") f.bash = true;
    else if (k === "perl") f.perl = true;
    else if (k === "agent") f.agents.push(v);
    else if (k === "os") f.os = v;
    else if (k === "orch-probe") done = v === "done";
  }
  return done ? f : null;
}

/**
 * Explains an ssh failure in a line: what ssh said, and what to do when it is a host key
 * or authentication problem (orch never prompts and never turns key checking off by itself).
 */
export function explainSshFailure(dest: string, stderr: string, timedOutS: number | null): string {
  if (timedOutS !== null) return `ssh to ${dest} gave no answer within ${timedOutS} s`;
  const said =
    stderr
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("Warning: Permanently added"))
      .slice(-3)
      .join(" ") || "ssh failed without a message";
  if (/Host key verification failed|No .* host key is known/i.test(stderr))
    return `ssh to ${dest}: the host's key is not known (${said}); add it to known_hosts, or pass --accept-new to accept its first key`;
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(stderr))
    return `ssh to ${dest}: the host's key has CHANGED since it was recorded; orch will not connect (check the host, then fix known_hosts)`;
  if (/Permission denied/i.test(stderr))
    return `ssh to ${dest}: not allowed in (${said}); orch uses your ssh keys and agent, in batch mode (no password prompt)`;
  return `ssh to ${dest} failed: ${said}`;
}

/**
 * Connects to a host once (through the ControlMaster, which this call may start) and reads
 * what it has. A failure is a value naming what went wrong, never a thrown error.
 *
 * @example
 * ```ts
 * const r = await probeHost(settings, { dest: "build-1", port: null });
 * if (r.ok) hostProblems(r.value); // [] when it can run workers
 * ```
 */
export async function probeHost(
  s: SshSettings,
  t: SshTarget,
  opts: { acceptNew?: boolean; timeoutMs?: number } = {},
): Promise<Result<HostFacts>> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const argv = sshArgv(s, t, ["sh", "-c", PROBE_SCRIPT], {
    acceptNew: opts.acceptNew ?? false,
    connectTimeoutS: Math.max(1, Math.floor(timeoutMs / 2000)),
  });
  const r = await runSsh(argv, timeoutMs);
  if (r.timedOut) return fail("unavailable", explainSshFailure(t.dest, "", Math.round(timeoutMs / 1000)));
  if (r.code !== 0) return fail("unavailable", explainSshFailure(t.dest, r.stderr, null));
  const facts = parseProbe(r.stdout, Date.now());
  if (!facts) return fail("unavailable", `ssh to ${t.dest}: the check of what it has did not finish`);
  return ok(facts);
}
