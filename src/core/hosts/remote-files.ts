import { createHash } from "node:crypto";
import { fail, ok, type Result } from "../domain/result.ts";
import { HOOK_HELPER, HOOK_HELPER_FILE, HOOK_SOCKET_FILE } from "./hook-helper.ts";
import { REMOTE_ENV } from "./host-probe.ts";
import { type SshSettings, type SshTarget, sshArgv } from "./ssh-command.ts";
import { runSsh, sshFailure } from "./ssh-run.ts";

/** A file orch puts on a host: its path there (absolute), its bytes and mode. */
export interface RemoteFile {
  path: string;
  content: string;
  mode: number;
}

/**
 * The Perl program that writes the files given on stdin, one per line as `MODE PATH CONTENT`
 * (path and content in base64, so any byte is exact), each to a temporary name in the same
 * directory and then renamed over the old one; it prints `ok` when all are written.
 */
const WRITE_FILES = `use strict; use MIME::Base64; use File::Path qw(make_path); use File::Basename qw(dirname);
umask 077;
while (my $l = <STDIN>) {
  chomp $l; next if $l eq '';
  my ($m, $p, $c) = split / /, $l, 3;
  $p = decode_base64($p);
  make_path(dirname($p), { mode => 0700 });
  open(my $fh, '>', "$p.orch-new") or die "cannot write $p: $!\\n";
  binmode $fh; print $fh decode_base64($c // ''); close($fh) or die "cannot write $p: $!\\n";
  chmod(oct($m), "$p.orch-new"); rename("$p.orch-new", $p) or die "cannot rename to $p: $!\\n";
}
print "ok\\n";`;

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** What one call into a host may take at most (ms): ssh's connect (through the master) and the work. */
const CALL_TIMEOUT_MS = 20_000;

/**
 * Writes files on a host through its ssh master, byte for byte (base64 on stdin to a Perl
 * program there, never in an argv), directories made private. A failure is a value.
 *
 * @example
 * ```ts
 * await writeRemoteFiles(settings, target, [{ path: "/home/me/.orch-host/x/shellrc", content: RC, mode: 0o600 }]);
 * ```
 */
export async function writeRemoteFiles(
  s: SshSettings,
  t: SshTarget,
  files: RemoteFile[],
): Promise<Result<void>> {
  if (files.length === 0) return ok(undefined);
  const input = `${files.map((f) => `${f.mode.toString(8)} ${b64(f.path)} ${b64(f.content)}`).join("\n")}\n`;
  const r = await runSsh(sshArgv(s, t, ["perl", "-e", WRITE_FILES]), CALL_TIMEOUT_MS, { input });
  if (r.code === 0 && r.stdout.trim() === "ok") return ok(undefined);
  const why = sshFailure(r, CALL_TIMEOUT_MS);
  return fail("unavailable", `cannot write files on host ${t.name ?? t.dest}: ${why}`);
}

/** The directory orch keeps a host's pane logs, mask filter and agents' seeded files in, under its home. */
export function remoteDirName(socketName: string): string {
  return `.orch-host/${socketName}`;
}

/**
 * Makes orch's directory on a host (private), puts the pane-log mask filter and the agents'
 * hook helper there, each verified by its SHA-256 after the write, and removes a hook socket
 * an earlier connection left (sshd binds the forwarded one anew); answers the directory's
 * absolute path.
 *
 * @example
 * ```ts
 * const dir = await prepareHost(settings, target, "orch-ab12-build-1", program); // ok("/home/me/.orch-host/orch-ab12-build-1")
 * ```
 */
export async function prepareHost(
  s: SshSettings,
  t: SshTarget,
  socketName: string,
  maskFilter: string | null,
): Promise<Result<string>> {
  const script = `${REMOTE_ENV} umask 077; d="$HOME/${remoteDirName(socketName)}"; mkdir -p "$d/logs" "$d/workers" && rm -f "$d/${HOOK_SOCKET_FILE}" && echo "dir=$d"`;
  const r = await runSsh(sshArgv(s, t, ["sh", "-c", script]), CALL_TIMEOUT_MS);
  const dir = /^dir=(.+)$/m.exec(r.stdout)?.[1];
  if (r.code !== 0 || !dir) {
    const why = sshFailure(r, CALL_TIMEOUT_MS);
    return fail("unavailable", `cannot prepare host ${t.name ?? t.dest}: ${why}`);
  }
  const files: RemoteFile[] = [{ path: `${dir}/${HOOK_HELPER_FILE}`, content: HOOK_HELPER, mode: 0o600 }];
  if (maskFilter !== null) files.push({ path: `${dir}/mask-filter.pl`, content: maskFilter, mode: 0o600 });
  const written = await writeRemoteFiles(s, t, files);
  if (!written.ok) return written;
  const sums = await runSsh(sshArgv(s, t, ["sha256sum", ...files.map((f) => f.path)]), CALL_TIMEOUT_MS);
  const got = new Map(
    sums.stdout
      .trim()
      .split("\n")
      .map((l) => [l.slice(66), l.slice(0, 64)] as const),
  );
  for (const f of files) {
    if (got.get(f.path) !== createHash("sha256").update(f.content).digest("hex"))
      return fail(
        "unavailable",
        `host ${t.name ?? t.dest}: ${f.path} as written there does not match (sha256)`,
      );
  }
  return ok(dir);
}

/** A file's text on the host, or null when there is none (e.g. an agent's config to merge into). */
export async function readRemoteFile(
  s: SshSettings,
  t: SshTarget,
  path: string,
): Promise<Result<string | null>> {
  const script = `if [ -e "$1" ]; then printf 'file:'; cat -- "$1"; else printf 'none'; fi`;
  const r = await runSsh(sshArgv(s, t, ["sh", "-c", script, "sh", path]), CALL_TIMEOUT_MS);
  if (r.code === 0 && r.stdout === "none") return ok(null);
  if (r.code === 0 && r.stdout.startsWith("file:")) return ok(r.stdout.slice(5));
  const why = sshFailure(r, CALL_TIMEOUT_MS);
  return fail("unavailable", `cannot read ${path} on host ${t.name ?? t.dest}: ${why}`);
}

/** Why `path` is not a directory on the host ("project directory X does not exist"), or null. */
export async function remoteDirCheck(
  s: SshSettings,
  t: SshTarget,
  path: string,
): Promise<Result<string | null>> {
  const script = `if [ -d "$1" ]; then echo dir; elif [ -e "$1" ]; then echo other; else echo none; fi`;
  const r = await runSsh(sshArgv(s, t, ["sh", "-c", script, "sh", path]), CALL_TIMEOUT_MS);
  const said = r.stdout.trim();
  if (r.code !== 0 || !["dir", "other", "none"].includes(said)) {
    const why = sshFailure(r, CALL_TIMEOUT_MS);
    return fail("unavailable", `cannot look at ${path} on host ${t.name ?? t.dest}: ${why}`);
  }
  if (said === "dir") return ok(null);
  return ok(
    said === "none"
      ? `project directory ${JSON.stringify(path)} does not exist`
      : `project directory ${JSON.stringify(path)} is not a directory`,
  );
}

/** The size of each pane log in a host's logs directory (`NAME.log` -> bytes), in one call. */
export async function remoteLogSizes(
  s: SshSettings,
  t: SshTarget,
  logsDir: string,
): Promise<Result<Map<string, number>>> {
  const script = `cd "$1" 2>/dev/null || exit 0; for f in *.log; do [ -f "$f" ] && printf '%s %s\\n' "$(wc -c < "$f")" "$f"; done; exit 0`;
  const r = await runSsh(sshArgv(s, t, ["sh", "-c", script, "sh", logsDir]), CALL_TIMEOUT_MS);
  if (r.code !== 0) {
    const why = sshFailure(r, CALL_TIMEOUT_MS);
    return fail("unavailable", `cannot list the logs on host ${t.name ?? t.dest}: ${why}`);
  }
  const sizes = new Map<string, number>();
  for (const line of r.stdout.split("\n")) {
    const m = /^\s*(\d+) (.+)\.log$/.exec(line);
    if (m) sizes.set(m[2]!, Number(m[1]));
  }
  return ok(sizes);
}

/** Renames a file on the host (`mv -f`), e.g. a pane log to its `.1`. */
export async function remoteRename(
  s: SshSettings,
  t: SshTarget,
  from: string,
  to: string,
): Promise<Result<void>> {
  const r = await runSsh(sshArgv(s, t, ["mv", "-f", "--", from, to]), CALL_TIMEOUT_MS);
  if (r.code === 0) return ok(undefined);
  const why = sshFailure(r, CALL_TIMEOUT_MS);
  return fail("unavailable", `cannot rename ${from} on host ${t.name ?? t.dest}: ${why}`);
}

/** Every process's `/proc/PID/stat` on the host, one after another, in one call (for the resource limits). */
export async function readRemoteProcStats(s: SshSettings, t: SshTarget): Promise<Result<string>> {
  const r = await runSsh(
    sshArgv(s, t, ["sh", "-c", "cat /proc/[0-9]*/stat 2>/dev/null; exit 0"]),
    CALL_TIMEOUT_MS,
  );
  if (r.code === 0) return ok(r.stdout);
  const why = sshFailure(r, CALL_TIMEOUT_MS);
  return fail("unavailable", `cannot read /proc on host ${t.name ?? t.dest}: ${why}`);
}

/**
 * Appends to `localFile` what a file on the host holds past byte `from` (a copy kept in step
 * by offset); `truncated` when the remote file is shorter than `from` (it was rotated).
 */
export async function pullRemoteTail(
  s: SshSettings,
  t: SshTarget,
  remoteFile: string,
  from: number,
  localFile: string,
): Promise<Result<{ truncated: boolean }>> {
  const script = `f=$1; [ -e "$f" ] || { [ "$2" -eq 0 ] && exit 0; exit 3; }; n=$(wc -c < "$f" 2>/dev/null || echo 0); if [ "$n" -lt "$2" ]; then echo short >&2; exit 3; fi; tail -c +$(($2 + 1)) "$f"`;
  const r = await runSsh(
    sshArgv(s, t, ["sh", "-c", script, "sh", remoteFile, String(from)]),
    CALL_TIMEOUT_MS,
    {
      appendTo: localFile,
    },
  );
  if (r.code === 0) return ok({ truncated: false });
  if (r.code === 3) return ok({ truncated: true });
  const why = sshFailure(r, CALL_TIMEOUT_MS);
  return fail("unavailable", `cannot read ${remoteFile} on host ${t.name ?? t.dest}: ${why}`);
}
