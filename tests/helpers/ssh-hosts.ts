/**
 * Real OpenSSH servers as test "hosts". As root, each host is its own network namespace with
 * a veth pair and a private address (10.213.N.2, the controller's side 10.213.N.1), so taking
 * the link down is a real partition; otherwise each is an sshd on a loopback port. One client
 * key, one known_hosts pre-filled with each host's key, and one ssh config file with a `Host`
 * block per host (what orch is given through its `sshConfig` setting). Everything is removed
 * by `cleanup()`: sshd by the pid in its PidFile, namespaces and links by their names.
 *
 * @example
 * const hosts = new SshHosts(tmpDir);
 * const h1 = await hosts.add("h1");
 * hosts.ssh("h1", "echo hi"); // through the config file, as orch would
 * hosts.partition("h1", true); // the link down
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

const SSHD = "/usr/sbin/sshd";

/** One test host: where its sshd listens and the names of what was made for it. */
export interface TestHost {
  name: string;
  /** Its network namespace and the controller's end of its veth pair, or null on loopback. */
  netns: string | null;
  link: string | null;
  address: string;
  port: number;
  dir: string;
  sshdPid: number;
}

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

/** Whether this process may make network namespaces (root, with `ip`). */
export function canUseNamespaces(): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync("ip", ["netns", "list"]).status === 0;
}

export class SshHosts {
  readonly hosts = new Map<string, TestHost>();
  readonly key: string;
  readonly knownHosts: string;
  readonly configFile: string;
  /** A tag in the names of namespaces and links, unique to this fixture. */
  private readonly tag = Math.random().toString(36).slice(2, 7);
  private readonly useNetns: boolean;
  private nextNet = 1 + Math.floor(Math.random() * 200);

  constructor(
    private readonly root: string,
    opts: { netns?: boolean } = {},
  ) {
    if (!existsSync(SSHD))
      throw new Error(`${SSHD} is missing: install Debian's openssh-server (.ci/run does)`);
    mkdirSync(root, { recursive: true, mode: 0o700 });
    this.useNetns = opts.netns ?? canUseNamespaces();
    this.key = join(root, "client_ed25519");
    run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", this.key]);
    this.knownHosts = join(root, "known_hosts");
    writeFileSync(this.knownHosts, "", { mode: 0o600 });
    this.configFile = join(root, "ssh_config");
    writeFileSync(this.configFile, "", { mode: 0o600 });
    if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  }

  /** Starts a host's sshd (in its own namespace when it can) and adds it to the config file. */
  async add(
    name: string,
    opts: { knownKey?: boolean; env?: Record<string, string> } = {},
  ): Promise<TestHost> {
    const dir = join(this.root, `host-${name}`);
    mkdirSync(join(dir, "tmux"), { recursive: true, mode: 0o700 });
    mkdirSync(join(dir, "home"), { recursive: true, mode: 0o700 });
    run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "host_ed25519")]);
    writeFileSync(join(dir, "authorized_keys"), readFileSync(`${this.key}.pub`), { mode: 0o600 });
    const net = this.useNetns ? this.makeNamespace() : null;
    const address = net ? net.address : "127.0.0.1";
    const port = net ? 22 : await freePort();
    const config = [
      `Port ${port}`,
      `ListenAddress ${address}`,
      `HostKey ${join(dir, "host_ed25519")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "StrictModes no",
      "PermitRootLogin prohibit-password",
      "AllowStreamLocalForwarding yes",
      // each host's tmux servers in a directory of its own, killed by their sockets at cleanup;
      // and a home of its own: bash run by sshd reads ~/.bashrc, and the account's may do
      // anything (here: pyenv's rehash, which waits a minute on a lock a killed shell left)
      `SetEnv TMUX_TMPDIR=${join(dir, "tmux")} HOME=${join(dir, "home")}${Object.entries(opts.env ?? {})
        .map(([k, v]) => ` ${k}=${v}`)
        .join("")}`,
      "StreamLocalBindUnlink yes",
      "",
    ].join("\n");
    writeFileSync(join(dir, "sshd_config"), config, { mode: 0o600 });
    const prefix = net ? ["ip", "netns", "exec", net.netns] : [];
    const argv = [...prefix, SSHD, "-f", join(dir, "sshd_config"), "-E", join(dir, "sshd.log")];
    const started = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
    if (started.status !== 0)
      throw new Error(`sshd for ${name} did not start: ${started.stderr}${this.sshdLog(dir)}`);
    const pidFile = join(dir, "sshd.pid");
    const until = Date.now() + 10_000;
    while (!existsSync(pidFile) || readFileSync(pidFile, "utf8").trim() === "") {
      if (Date.now() > until)
        throw new Error(`sshd for ${name} wrote no pid within 10 s${this.sshdLog(dir)}`);
      await Bun.sleep(20);
    }
    const host: TestHost = {
      name,
      netns: net?.netns ?? null,
      link: net?.link ?? null,
      address,
      port,
      dir,
      sshdPid: Number(readFileSync(pidFile, "utf8").trim()),
    };
    this.hosts.set(name, host);
    if (opts.knownKey !== false) this.knowKey(host, port === 22 ? address : `[${address}]:${port}`);
    this.addBlock(name, address, port);
    await this.waitReachable(host);
    return host;
  }

  /**
   * Adds `alias` to the config file: the host `name` reached through 127.0.0.1:`port` (e.g. a
   * delay proxy in front of its sshd), its key known for that address.
   */
  addAlias(alias: string, name: string, port: number): void {
    this.knowKey(this.mustGet(name), `[127.0.0.1]:${port}`);
    this.addBlock(alias, "127.0.0.1", port);
  }

  /** Records the host's key in the known_hosts file for `where` (an address, or `[address]:port`). */
  private knowKey(h: TestHost, where: string): void {
    const key = readFileSync(join(h.dir, "host_ed25519.pub"), "utf8").split(" ").slice(0, 2).join(" ");
    writeFileSync(this.knownHosts, `${where} ${key}\n`, { flag: "a" });
  }

  /** Appends a `Host` block to the config file: the client key, this fixture's known_hosts. */
  private addBlock(alias: string, address: string, port: number): void {
    const block = [
      `Host ${alias}`,
      `  HostName ${address}`,
      `  Port ${port}`,
      "  User root",
      `  IdentityFile ${this.key}`,
      "  IdentitiesOnly yes",
      `  UserKnownHostsFile ${this.knownHosts}`,
      "  GlobalKnownHostsFile /dev/null",
      "  LogLevel ERROR",
      "",
    ].join("\n");
    writeFileSync(this.configFile, block, { flag: "a" });
  }

  private sshdLog(dir: string): string {
    const f = join(dir, "sshd.log");
    return existsSync(f) ? `\n${readFileSync(f, "utf8").slice(-1500)}` : "";
  }

  private makeNamespace(): { netns: string; link: string; address: string } {
    const n = this.nextNet++;
    const netns = `orcht-${this.tag}-${n}`;
    const link = `ot${this.tag}${n}`.slice(0, 15);
    const inner = `oi${this.tag}${n}`.slice(0, 15);
    run("ip", ["netns", "add", netns]);
    run("ip", ["link", "add", link, "type", "veth", "peer", "name", inner]);
    run("ip", ["link", "set", inner, "netns", netns]);
    run("ip", ["addr", "add", `10.213.${n}.1/30`, "dev", link]);
    run("ip", ["link", "set", link, "up"]);
    run("ip", ["netns", "exec", netns, "ip", "addr", "add", `10.213.${n}.2/30`, "dev", inner]);
    run("ip", ["netns", "exec", netns, "ip", "link", "set", inner, "up"]);
    run("ip", ["netns", "exec", netns, "ip", "link", "set", "lo", "up"]);
    return { netns, link, address: `10.213.${n}.2` };
  }

  private async waitReachable(h: TestHost): Promise<void> {
    const until = Date.now() + 30_000;
    for (;;) {
      // (the readiness check accepts any key and records none: a host may be added unknown)
      const r = this.ssh(h.name, "true", 15, [
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
      ]);
      if (r.status === 0) return;
      if (Date.now() > until)
        throw new Error(
          `test host ${h.name} not reachable over ssh within 30 s (a loaded machine: each try may take seconds): ${r.stderr}${this.sshdLog(h.dir)}`,
        );
      await Bun.sleep(100);
    }
  }

  /** Runs `command` on the host with the system's ssh and this fixture's config file. */
  ssh(
    name: string,
    command: string,
    timeoutS = 10,
    extra: string[] = [],
  ): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(
      "ssh",
      [
        "-F",
        this.configFile,
        "-o",
        "BatchMode=yes",
        "-o",
        `ConnectTimeout=${timeoutS}`,
        ...extra,
        name,
        command,
      ],
      { encoding: "utf8", timeout: timeoutS * 1000 + 2000 },
    );
    return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  }

  /** Takes the host's link down (a partition) or up again; only for hosts in a namespace. */
  partition(name: string, down: boolean): void {
    const h = this.mustGet(name);
    if (!h.link) throw new Error(`test host ${name} has no link of its own (not in a namespace)`);
    run("ip", ["link", "set", h.link, down ? "down" : "up"]);
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the host's sshd and what it started (its sessions). */
  freeze(name: string, frozen: boolean): void {
    const h = this.mustGet(name);
    const signal = frozen ? "SIGSTOP" : "SIGCONT";
    for (const pid of [h.sshdPid, ...descendants(h.sshdPid)]) {
      try {
        process.kill(pid, signal);
      } catch {}
    }
  }

  private mustGet(name: string): TestHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no test host ${name}`);
    return h;
  }

  /** The tmux sockets of servers started on the host (its sessions' TMUX_TMPDIR). */
  tmuxSockets(name: string): string[] {
    const base = join(this.mustGet(name).dir, "tmux");
    const out: string[] = [];
    for (const d of existsSync(base) ? readdirSync(base) : [])
      for (const s of readdirSync(join(base, d))) out.push(join(base, d, s));
    return out;
  }

  /**
   * Stops every tmux server started on the hosts (by its socket), every sshd (by pid), and
   * removes the namespaces and links this fixture made.
   */
  cleanup(): void {
    for (const h of this.hosts.values()) {
      for (const sock of this.tmuxSockets(h.name))
        spawnSync("tmux", ["-S", sock, "kill-server"], { timeout: 5000 });
      // and whatever the host's sessions started that is still there (a tmux server whose socket
      // was replaced, a client its session left behind): known by the host's own TMUX_TMPDIR
      for (const pid of pidsWithEnv(`TMUX_TMPDIR=${join(h.dir, "tmux")}`)) {
        try {
          process.kill(pid, "SIGCONT");
          process.kill(pid, "SIGKILL");
        } catch {}
      }
      for (const pid of [h.sshdPid, ...descendants(h.sshdPid)]) {
        try {
          process.kill(pid, "SIGCONT");
          process.kill(pid, "SIGKILL");
        } catch {}
      }
      if (h.link) spawnSync("ip", ["link", "del", h.link]);
      if (h.netns) spawnSync("ip", ["netns", "del", h.netns]);
    }
    this.hosts.clear();
  }
}

/** The pids of processes whose environment holds exactly `entry` (`NAME=value`), from /proc. */
export function pidsWithEnv(entry: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${d}/environ`, "latin1").split("\0").includes(entry)) out.push(Number(d));
    } catch {}
  }
  return out;
}

/** The pids below `pid` (its children, theirs, ...), from /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of spawnSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" }).stdout.split("\n")) {
    const [p, pp] = entry.trim().split(/\s+/).map(Number);
    if (!p || pp === undefined) continue;
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}
