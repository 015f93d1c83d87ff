import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fail, ok, type Result } from "../domain/result.ts";
import { shellQuote } from "../tmux/quote.ts";

/** Where a host is, as `ssh` is to be told: a destination it accepts, and a port if one was given. */
export interface SshTarget {
  /** An alias from the ssh config, `host` or `user@host`. */
  dest: string;
  port: number | null;
  /**
   * The orch host's name: its ControlMaster socket is `controlDir/NAME` (known, so a wedged
   * master's socket can be removed); without one, ssh's `%C` hash.
   */
  name?: string;
}

/** How orch runs the system's `ssh`: the user's config (or the file given) and a private ControlPath. */
export interface SshSettings {
  /** `-F FILE`, or null for the account's own `~/.ssh/config`. */
  configFile: string | null;
  /** The directory of the ControlMaster sockets (short: a Unix socket path has at most 107 bytes). */
  controlDir: string;
}

/** Seconds without an answer from the server before ssh gives the connection up (ServerAlive*). */
export const SERVER_ALIVE_INTERVAL_S = 3;
const SERVER_ALIVE_COUNT = 2;
/** Seconds a master stays after its last client, so the next call needs no new connection. */
const CONTROL_PERSIST_S = 600;
/** The longest ControlPath directory that leaves room for `/NAME` (63 characters) under 104 bytes. */
const MAX_CONTROL_DIR = 40;

const DEST = /^(?:[A-Za-z0-9._%+-]+@)?(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])$/;

/**
 * Reads a host's DEST as `orch host add` takes it: an ssh config alias, `host`, `user@host`, or
 * `ssh://[user@]host[:port]`. Nothing that ssh would read as an option (a leading `-`) or
 * that a shell would split passes.
 *
 * @example
 * ```ts
 * parseDest("ssh://me@build-1:2222"); // ok({ dest: "me@build-1", port: 2222 })
 * parseDest("-oProxyCommand=x"); // fail: not a destination
 * ```
 */
export function parseDest(raw: string): Result<SshTarget> {
  let rest = raw.trim();
  let port: number | null = null;
  if (rest.startsWith("ssh://")) {
    rest = rest.slice("ssh://".length).replace(/\/$/, "");
    const m = /^(.*?)(?::(\d{1,5}))?$/.exec(rest);
    if (m?.[2] !== undefined) {
      port = Number(m[2]);
      rest = m[1] ?? "";
    }
    if (port !== null && (port < 1 || port > 65535))
      return fail("bad_input", `destination "${raw}": port ${port} is out of range (1-65535)`);
  }
  if (!DEST.test(rest) || rest.startsWith("-"))
    return fail(
      "bad_input",
      `destination "${raw}": expected an ssh config alias, host, user@host or ssh://user@host:port`,
    );
  return ok({ dest: rest, port });
}

/** The destination as it is shown back: `ssh://user@host:port` when a port was given. */
export function formatDest(t: SshTarget): string {
  return t.port === null ? t.dest : `ssh://${t.dest}:${t.port}`;
}

/**
 * The ControlMaster socket directory for an ORCH_HOME: `$ORCH_HOME/ssh` when short enough,
 * else a private directory under the temp dir named by a hash of the home.
 */
export function controlDirFor(home: string): string {
  const inHome = join(home, "ssh");
  if (inHome.length <= MAX_CONTROL_DIR) return inHome;
  const tag = createHash("sha256").update(home).digest("hex").slice(0, 12);
  return join(tmpdir(), `orch-ssh-${process.getuid?.() ?? 0}-${tag}`);
}

/**
 * The argv of one `ssh` call to a host: batch mode (never a prompt), host keys checked (a
 * first key accepted only with `acceptNew`), the connection shared through a ControlMaster
 * under orch's own directory, a dead server noticed within seconds. `remote` is the command
 * as words; each is quoted for the remote shell, which joins and parses them again.
 *
 * @example
 * ```ts
 * sshArgv(settings, { dest: "build-1", port: null }, ["tmux", "-V"]);
 * // ["ssh", "-o", "BatchMode=yes", ..., "build-1", "--", "'tmux' '-V'"]
 * ```
 */
export function sshArgv(
  s: SshSettings,
  t: SshTarget,
  remote: string[],
  opts: { acceptNew?: boolean; connectTimeoutS?: number; tty?: boolean } = {},
): string[] {
  const argv = ["ssh"];
  if (s.configFile) argv.push("-F", s.configFile);
  argv.push(
    "-o",
    "BatchMode=yes",
    "-o",
    `ConnectTimeout=${opts.connectTimeoutS ?? 10}`,
    "-o",
    `ServerAliveInterval=${SERVER_ALIVE_INTERVAL_S}`,
    "-o",
    `ServerAliveCountMax=${SERVER_ALIVE_COUNT}`,
    "-o",
    "ControlMaster=auto",
    "-o",
    `ControlPath=${controlPath(s, t)}`,
    "-o",
    `ControlPersist=${CONTROL_PERSIST_S}`,
  );
  if (opts.acceptNew) argv.push("-o", "StrictHostKeyChecking=accept-new");
  if (t.port !== null) argv.push("-p", String(t.port));
  argv.push(opts.tty ? "-t" : "-T", t.dest);
  if (remote.length) argv.push("--", remote.map(shellQuote).join(" "));
  return argv;
}

/** The ControlMaster socket of a host: `controlDir/NAME`, or ssh's `%C` hash without a name. */
export function controlPath(s: SshSettings, t: SshTarget): string {
  return join(s.controlDir, t.name ?? "%C");
}

/**
 * The argv of a ControlMaster request for a host: `check`, `exit`, or `forward`/`cancel` of
 * the forwardings in `forwards` (e.g. `["-R", "/remote.sock:/local.sock"]`).
 */
export function sshControlArgv(
  s: SshSettings,
  t: SshTarget,
  op: "check" | "exit" | "forward" | "cancel",
  forwards: string[] = [],
): string[] {
  const argv = ["ssh"];
  if (s.configFile) argv.push("-F", s.configFile);
  argv.push("-o", `ControlPath=${controlPath(s, t)}`, "-O", op, ...forwards);
  if (t.port !== null) argv.push("-p", String(t.port));
  argv.push(t.dest);
  return argv;
}
