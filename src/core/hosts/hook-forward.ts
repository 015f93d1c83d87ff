import { fail, ok, type Result } from "../domain/result.ts";
import { type SshSettings, type SshTarget, sshControlArgv } from "./ssh-command.ts";
import { runSsh, sshFailure } from "./ssh-run.ts";

/** What a forwarding request to the master may take (ms). */
const FORWARD_TIMEOUT_MS = 10_000;

/**
 * Forwards the Unix socket `remote` on the host to `local` here through the host's
 * ControlMaster (`ssh -O forward -R remote:local`): an agent's hook there reaches the
 * controller through the ssh connection orch opened, no TCP port on either side. The file at
 * `remote` must not exist (sshd does not replace it by default). A failure is a value.
 */
export async function forwardSocket(
  s: SshSettings,
  t: SshTarget,
  remote: string,
  local: string,
): Promise<Result<void>> {
  const r = await runSsh(sshControlArgv(s, t, "forward", ["-R", `${remote}:${local}`]), FORWARD_TIMEOUT_MS);
  if (r.code === 0) return ok(undefined);
  const why = sshFailure(r, FORWARD_TIMEOUT_MS);
  return fail("unavailable", `cannot forward ${remote} on host ${t.name ?? t.dest} to ${local}: ${why}`);
}

/**
 * Drops a forwarding an earlier connect asked the same master for (a master that outlived its
 * channel still has it, and a second request for it would be taken as done while its socket
 * is gone); nothing when there is none.
 */
export async function cancelForward(
  s: SshSettings,
  t: SshTarget,
  remote: string,
  local: string,
): Promise<void> {
  await runSsh(sshControlArgv(s, t, "cancel", ["-R", `${remote}:${local}`]), FORWARD_TIMEOUT_MS);
}
