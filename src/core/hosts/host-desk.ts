import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { Config } from "../domain/config.ts";
import { fail, ok, type Result } from "../domain/result.ts";
import type { HostRecord, Store } from "../store/index.ts";
import { type HostChannel, HostLink, type HostLinkView } from "./host-link.ts";
import { type HostFacts, hostProblems, probeHost, REMOTE_ENV } from "./host-probe.ts";
import { LOCAL_HOST } from "./local-host.ts";
import { remoteDirName } from "./remote-files.ts";
import {
  controlDirFor,
  formatDest,
  parseDest,
  type SshSettings,
  type SshTarget,
  sshArgv,
} from "./ssh-command.ts";
import { askMaster, runSsh } from "./ssh-run.ts";

export { LOCAL_HOST };

/** A host's name: letters, digits, '.', '_' or '-', starting with a letter or digit. */
export const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** A host as `host list --json`, `host show --json` and `status --json`'s `hosts` give it. */
export interface HostJson {
  name: string;
  dest: string;
  state: HostLinkView["state"];
  rttMs: number | null;
  lastSeenAt: string | null;
  labels: Record<string, string>;
  workers: number;
  maxWorkers: number;
  error: string | null;
  tmux: string | null;
  agents: string[];
  os: string | null;
  /** What it lacks to run workers (empty when nothing). */
  problems: string[];
  addedAt: string | null;
}

/** What `orch host add` asks for. */
export interface AddHostRequest {
  name: string;
  dest: string;
  labels?: Record<string, string>;
  maxWorkers?: number;
  /** Accept the host's key if ssh has none for it yet (StrictHostKeyChecking=accept-new). */
  acceptNew?: boolean;
}

export interface HostDeskDeps {
  store: Store;
  config: Config;
  home: string;
  log: (level: "info" | "warn", msg: string, fields: Record<string, unknown>) => void;
  /** How many live workers a host has now. */
  workersOn(host: string): number;
  /** The tmux session's name on every host. */
  session: string;
  /** The tmux server the controller drives on a host, carried by the host's channel. */
  channel?(name: string, ssh: HostSsh): HostChannel;
  /** Kills every worker on a host (host remove --kill-workers); answers their names. */
  killWorkersOn?(host: string): Promise<string[]>;
  /** A host was removed: the controller forgets its server. */
  forget?(name: string): void;
}

/** How orch reaches a host over ssh: settings, the target and its tmux server's name there. */
export interface HostSsh {
  settings: SshSettings;
  target: SshTarget;
  socketName: string;
}

/** How long `host add` waits for the new host's channel to come up before it answers (ms). */
const ADD_WAIT_MS = 10_000;

/**
 * The machines orch drives: `local`, and the ones added with `orch host add`, each with a
 * {@link HostLink} kept up while the controller runs. Adding one checks it first (ssh in batch
 * mode, its key checked, what it has); removing one refuses while workers live there.
 *
 * @example
 * ```ts
 * const desk = new HostDesk({ store, config, home, log, workersOn, session: "orch" });
 * desk.start();
 * await desk.add({ name: "build-1", dest: "me@build-1", labels: { gpu: "1" } });
 * desk.list(); // [local, build-1]
 * ```
 */
export class HostDesk {
  private readonly links = new Map<string, HostLink>();
  readonly settings: SshSettings;
  private readonly busy = new Set<string>();

  constructor(private readonly d: HostDeskDeps) {
    this.settings = {
      configFile: d.config.sshConfig || null,
      controlDir: controlDirFor(d.home),
    };
  }

  /** Connects to every stored host (in the background: a sick host delays nothing). */
  start(): void {
    mkdirSync(this.settings.controlDir, { recursive: true, mode: 0o700 });
    for (const h of this.d.store.hosts.list()) this.link(h).start();
  }

  /** Closes every host's channel; orch's tmux server on each host keeps running (as locally). */
  async stop(): Promise<void> {
    await Promise.all([...this.links.values()].map((l) => l.stop()));
    this.links.clear();
  }

  /** The remote tmux server's name for a host: one of this store's own, so two controllers never share it. */
  socketName(host: string): string {
    const id = this.d.store.transaction(() =>
      this.d.store.meta.ensure("install_id", () => randomBytes(4).toString("hex")),
    );
    return `orch-${id}-${host}`;
  }

  private link(h: HostRecord): HostLink {
    const ssh: HostSsh = {
      settings: this.settings,
      target: { dest: h.dest, port: h.port, name: h.name },
      socketName: this.socketName(h.name),
    };
    const link = new HostLink({
      name: h.name,
      ...ssh,
      session: this.d.session,
      log: this.d.log,
      ...(this.d.channel ? { channel: this.d.channel(h.name, ssh) } : {}),
    });
    this.links.set(h.name, link);
    return link;
  }

  /**
   * The command that opens a terminal on orch's tmux server on a host (`ssh -t`, through the
   * ControlMaster) and runs `tmuxArgs` there, e.g. `attach-session -t %3`; null for an unknown host.
   */
  terminalArgv(name: string, tmuxArgs: string[]): string[] | null {
    const h = this.d.store.hosts.get(name);
    if (!h) return null;
    const script = `${REMOTE_ENV} exec tmux -u -L ${this.socketName(name)} "$@"`;
    return sshArgv(
      this.settings,
      { dest: h.dest, port: h.port, name },
      ["sh", "-c", script, "sh", ...tmuxArgs],
      {
        tty: true,
      },
    );
  }

  list(): HostJson[] {
    return [this.localJson(), ...this.d.store.hosts.list().map((h) => this.json(h))];
  }

  show(name: string): Result<HostJson> {
    if (name === LOCAL_HOST) return ok(this.localJson());
    const h = this.d.store.hosts.get(name);
    return h ? ok(this.json(h)) : fail("not_found", this.unknown(name));
  }

  private unknown(name: string): string {
    const known = [LOCAL_HOST, ...this.d.store.hosts.list().map((h) => h.name)];
    return `no host named "${name}" (hosts: ${known.join(", ")})`;
  }

  private localJson(): HostJson {
    return {
      name: LOCAL_HOST,
      dest: LOCAL_HOST,
      // this machine needs no link: no round trip, nothing to have last seen
      state: "online",
      rttMs: null,
      lastSeenAt: null,
      labels: {},
      workers: this.d.workersOn(LOCAL_HOST),
      maxWorkers: this.d.config.maxWorkers,
      error: null,
      tmux: null,
      agents: [],
      os: null,
      problems: [],
      addedAt: null,
    };
  }

  private json(h: HostRecord): HostJson {
    const v = this.links.get(h.name)?.view();
    const facts = h.facts as HostFacts | null;
    return {
      name: h.name,
      dest: formatDest({ dest: h.dest, port: h.port }),
      state: v?.state ?? "offline",
      rttMs: v?.rttMs ?? null,
      lastSeenAt: v?.lastSeenAt ? new Date(v.lastSeenAt).toISOString() : null,
      labels: h.labels,
      workers: this.d.workersOn(h.name),
      maxWorkers: h.maxWorkers ?? this.d.config.maxWorkers,
      error: v?.error ?? null,
      tmux: facts?.tmux ?? null,
      agents: facts?.agents ?? [],
      os: facts?.os ?? null,
      problems: facts ? this.problems(facts) : [],
      addedAt: new Date(h.addedAt).toISOString(),
    };
  }

  private problems(f: HostFacts): string[] {
    // perl masks the pane logs: not needed when masking is off
    return hostProblems(f).filter((p) => this.d.config.mask || !p.startsWith("perl"));
  }

  /** Checks a host over ssh and records it; its channel comes up before this answers (10 s at most). */
  async add(req: AddHostRequest): Promise<Result<HostJson>> {
    if (req.name === LOCAL_HOST) return fail("bad_input", `host name "${LOCAL_HOST}" is this machine's own`);
    if (!HOST_NAME.test(req.name))
      return fail(
        "bad_input",
        `host name "${req.name}": expected letters, digits, '.', '_' or '-' (at most 63, starting with a letter or digit)`,
      );
    const target = parseDest(req.dest);
    if (!target.ok) return target;
    if (this.d.store.hosts.get(req.name) || this.busy.has(req.name))
      return fail("conflict", `host "${req.name}" exists already (orch host remove ${req.name} first)`);
    this.busy.add(req.name);
    try {
      const facts = await probeHost(
        this.settings,
        { ...target.value, name: req.name },
        { acceptNew: req.acceptNew ?? false },
      );
      if (!facts.ok) return facts;
      const problems = this.problems(facts.value);
      if (problems.length)
        return fail("bad_input", `host ${req.name} (${req.dest}) cannot run workers: ${problems.join("; ")}`);
      const record: HostRecord = {
        name: req.name,
        dest: target.value.dest,
        port: target.value.port,
        labels: req.labels ?? {},
        maxWorkers: req.maxWorkers ?? null,
        facts: facts.value,
        addedAt: Date.now(),
      };
      this.d.store.transaction(() => this.d.store.hosts.insert(record));
      const link = this.link(record);
      link.start();
      await Promise.race([link.settled, sleep(ADD_WAIT_MS)]);
      this.d.log("info", "host added", { host: req.name, dest: req.dest });
      return ok(this.json(record));
    } finally {
      this.busy.delete(req.name);
    }
  }

  /** Checks a host (or every host) again: what it has, recorded; the link's state as it is now. */
  async check(name?: string): Promise<Result<HostJson[]>> {
    if (name !== undefined && name !== LOCAL_HOST && !this.d.store.hosts.get(name))
      return fail("not_found", this.unknown(name));
    const hosts = this.d.store.hosts.list().filter((h) => name === undefined || h.name === name);
    await Promise.all(
      hosts.map(async (h) => {
        const r = await probeHost(
          this.settings,
          { dest: h.dest, port: h.port, name: h.name },
          { timeoutMs: 10_000 },
        );
        if (r.ok) this.d.store.transaction(() => this.d.store.hosts.setFacts(h.name, r.value));
        else this.d.log("warn", "host check failed", { host: h.name, error: r.error });
      }),
    );
    const all = this.list();
    return ok(name === undefined ? all : all.filter((h) => h.name === name));
  }

  /**
   * Forgets a host: its channel closed, orch's tmux server there stopped; refused while workers
   * live there, unless `killWorkers` (then every worker on it is killed first).
   */
  async remove(name: string, killWorkers = false): Promise<Result<{ name: string; killed: string[] }>> {
    if (name === LOCAL_HOST)
      return fail("bad_input", `host "${LOCAL_HOST}" is this machine and cannot be removed`);
    const h = this.d.store.hosts.get(name);
    if (!h) return fail("not_found", this.unknown(name));
    const killed = killWorkers && this.d.killWorkersOn ? await this.d.killWorkersOn(name) : [];
    const n = this.d.workersOn(name);
    if (n > 0)
      return fail(
        "conflict",
        `host ${name} has ${n} live worker(s): kill them first (orch kill-worker NAME, or host remove ${name} --kill-workers)`,
      );
    await this.links.get(name)?.stop();
    this.links.delete(name);
    this.d.forget?.(name);
    await this.killRemoteServer({ dest: h.dest, port: h.port, name }, this.socketName(name));
    this.d.store.transaction(() => this.d.store.hosts.remove(name));
    this.d.log("info", "host removed", { host: name });
    return ok({ name, killed });
  }

  /** Stops orch's tmux server on a host, removes orch's directory there and closes the ssh master (best effort). */
  private async killRemoteServer(t: SshTarget, socket: string): Promise<void> {
    // orch's directory there (pane logs, the mask filter, seeded files) goes with it
    const script = `${REMOTE_ENV} tmux -L ${socket} kill-server; rm -rf "$HOME/${remoteDirName(socket)}"`;
    const kill = sshArgv(this.settings, t, ["sh", "-c", script], {
      connectTimeoutS: 5,
    });
    const r = await runSsh(kill, 8000);
    if (r.code !== 0)
      this.d.log("warn", "orch's tmux server on the host was not stopped", {
        host: t.dest,
        error: r.timedOut ? "no answer within 8 s" : r.stderr.trim() || `exit ${r.code}`,
      });
    await askMaster(this.settings, t, "exit");
  }
}
