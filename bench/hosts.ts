/**
 * Hosts over OpenSSH (bench section "hosts"): one tmux command to a remote host through orch's
 * persistent control channel (`ssh HOST tmux -C`, what HostLink keeps) against the peers' way,
 * one `ssh HOST tmux ...` per command through a ControlMaster, at ~0 ms and at +50 ms round
 * trip (a delaying TCP proxy in front of sshd). Real sshd from tests/helpers/ssh-hosts.ts; each
 * figure is the p50/p99 of BENCH_HOST_CALLS calls (default 60), the two ways alternating.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { controlDirFor, sshArgv } from "../src/core/hosts/ssh-command.ts";
import { spawnPipe } from "../src/core/runtime/spawn-pipe.ts";
import { ControlClient } from "../src/core/tmux/control-client.ts";
import { startDelayProxy } from "../tests/helpers/delay-proxy.ts";
import { SshHosts } from "../tests/helpers/ssh-hosts.ts";
import { type LatencySummary, summarize } from "./stats.ts";

export interface HostsResult {
  calls: number;
  rows: Array<{ addedRttMs: number; channel: LatencySummary; sshPerCommand: LatencySummary }>;
}

const SOCKET = "orch-bench";

async function measure(settings: { configFile: string; controlDir: string }, dest: string, calls: number) {
  const target = { dest, port: null };
  const script = `exec tmux -u -L ${SOCKET} -C new-session -A -s bench`;
  const client = new ControlClient(
    () => spawnPipe(sshArgv(settings, target, ["sh", "-c", script])),
    {},
    20_000,
  );
  await client.connect(30_000);
  const perCommand = sshArgv(settings, target, ["tmux", "-L", SOCKET, "display-message", "-p", "ok"]);
  const channel: number[] = [];
  const ssh: number[] = [];
  try {
    for (let i = 0; i < calls + 3; i++) {
      let t0 = performance.now();
      await client.run("display-message -p ok", 20_000);
      const a = performance.now() - t0;
      t0 = performance.now();
      // not a sync call: the delay proxy runs in this process
      await execa(perCommand[0]!, perCommand.slice(1), { stdin: "ignore", timeout: 20_000 });
      const b = performance.now() - t0;
      // the first calls warm the master and the server
      if (i >= 3) {
        channel.push(a);
        ssh.push(b);
      }
    }
  } finally {
    client.close();
  }
  return { channel: summarize(channel), sshPerCommand: summarize(ssh) };
}

/** A bench host: `b1` (real sshd), also reached as `b1-slow` through +50 ms RTT; `close()` ends both. */
export interface BenchHost {
  hosts: SshHosts;
  settings: { configFile: string; controlDir: string };
  /** The two ways to it and the round trip each adds (ms). */
  ways: ReadonlyArray<readonly [dest: string, addedRttMs: number]>;
  close(): void;
}

/** Starts the bench's test host and its delaying proxy under a temp dir named `prefix`. */
export async function startBenchHost(prefix: string): Promise<BenchHost> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const hosts = new SshHosts(join(root, "ssh"));
  const proxies: Array<{ close(): void }> = [];
  const close = () => {
    for (const p of proxies) p.close();
    hosts.cleanup();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const h = await hosts.add("b1");
    const proxy = await startDelayProxy({ host: h.address, port: h.port }, 25);
    proxies.push(proxy);
    hosts.addAlias("b1-slow", "b1", proxy.port);
    const settings = { configFile: hosts.configFile, controlDir: controlDirFor(root) };
    mkdirSync(settings.controlDir, { recursive: true, mode: 0o700 });
    const ways = [
      ["b1", 0],
      ["b1-slow", 50],
    ] as const;
    return { hosts, settings, ways, close };
  } catch (e) {
    close();
    throw e;
  }
}

export async function runHosts(calls: number): Promise<HostsResult> {
  const b = await startBenchHost("orch-bench-hosts-");
  try {
    const rows: HostsResult["rows"] = [];
    for (const [dest, added] of b.ways)
      rows.push({ addedRttMs: added, ...(await measure(b.settings, dest, calls)) });
    return { calls, rows };
  } finally {
    b.close();
  }
}

export function hostsTable(r: HostsResult): string[] {
  const f = (v: number) => v.toFixed(1);
  return [
    `hosts: one tmux command to a remote host (real sshd), ${r.calls} calls each, p50 / p99 ms`,
    "  added RTT | orch's control channel | ssh per command (ControlMaster) | ratio p50",
    ...r.rows.map(
      (x) =>
        `  ${String(x.addedRttMs).padStart(6)} ms | ${f(x.channel.p50).padStart(8)} / ${f(x.channel.p99).padStart(7)}  | ${f(x.sshPerCommand.p50).padStart(12)} / ${f(x.sshPerCommand.p99).padStart(7)}       | ${(x.sshPerCommand.p50 / x.channel.p50).toFixed(1)}x`,
    ),
  ];
}
