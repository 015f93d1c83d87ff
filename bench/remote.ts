/**
 * Workers on a host over OpenSSH (bench section "remote"): 16 shell workers on one remote host
 * (real sshd from tests/helpers/ssh-hosts.ts) driven through orch's one control channel, next to
 * the same on this machine and next to the peers' way to a remote host — one `ssh HOST tmux ...`
 * per call through a ControlMaster, completion found by `capture-pane` every 500 ms — at ~0 ms
 * and +50 ms round trip (a delaying TCP proxy in front of sshd), all in one run; then a frozen
 * host next to a working one, and idle workers over four hosts (bench/remote-scale.ts).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { sshArgv } from "../src/core/hosts/ssh-command.ts";
import { startBenchHost } from "./hosts.ts";
import { runNaive } from "./naive.ts";
import { measureOrch, startOrch } from "./orch.ts";
import { type FrozenResult, type RemoteIdleResult, runFrozen, runRemoteIdle } from "./remote-scale.ts";
import type { RunResult } from "./stats.ts";

export interface RemoteResult {
  workers: number;
  tasks: number;
  /** Tasks of the peers' way (it is slow: fewer are enough for its figures). */
  peerTasks: number;
  local: RunResult;
  /** One worker alone: the detection latency without 16 shells loading the machine. */
  localOne: RunResult;
  rows: Array<{ addedRttMs: number; remote: RunResult; remoteOne: RunResult; sshpoll: RunResult }>;
  frozen: FrozenResult;
  idle: RemoteIdleResult | null;
}

/** The peers' poll period (agent-deck and ntm read panes about twice a second). */
const PEER_POLL_MS = 500;
/** Tasks of the one-worker latency runs. */
const ONE_TASKS = 60;

/**
 * orch with `workers` shell workers on the host `dest` (this machine when null): one worker
 * alone for the latency, then `tasks` short tasks over all of them.
 */
async function orchOn(bin: string, sshConfig: string, dest: string | null, workers: number, tasks: number) {
  const o = await startOrch(bin, { ORCH_SSH_CONFIG: sshConfig });
  try {
    if (dest) {
      const added = await o.cli("host", "add", "r", dest);
      if (added.code !== 0) throw new Error(`orch host add r ${dest}: ${added.stderr || added.stdout}`);
    }
    const names = await o.addShellWorkers(workers, "r", dest ? "r" : undefined);
    const contender = dest ? "remote" : "orch";
    const one = await measureOrch(o, names.slice(0, 1), ONE_TASKS, contender);
    return { all: await measureOrch(o, names, tasks, contender, 0), one };
  } finally {
    await o.close();
    // its ssh master outlives it by ControlPersist: closed now
    if (dest)
      spawnSync(
        "ssh",
        ["-F", sshConfig, "-o", `ControlPath=${join(o.home, "ssh", "r")}`, "-O", "exit", dest],
        {
          stdio: "ignore",
          timeout: 5000,
        },
      );
  }
}

export async function runRemote(
  bin: string,
  workers: number,
  tasks: number,
  peerTasks: number,
  idleWorkers: number,
  idleSeconds = 60,
): Promise<RemoteResult> {
  const b = await startBenchHost("orch-bench-remote-");
  const { hosts, settings } = b;
  try {
    const local = await orchOn(bin, hosts.configFile, null, workers, tasks);
    const rows: RemoteResult["rows"] = [];
    for (const [dest, added] of b.ways) {
      const remote = await orchOn(bin, hosts.configFile, dest, workers, tasks);
      const sshpoll = await runNaive(workers, peerTasks, 1, {
        argv: (a) => sshArgv(settings, { dest, port: null }, a),
        pollMs: PEER_POLL_MS,
        contender: "sshpoll",
      });
      rows.push({ addedRttMs: added, remote: remote.all, remoteOne: remote.one, sshpoll });
    }
    await hosts.add("b2");
    const frozen = await runFrozen(bin, hosts, hosts.configFile, ["b1", "b2"], workers / 2, tasks / 2);
    let idle: RemoteIdleResult | null = null;
    if (idleWorkers > 0) {
      for (const n of ["b3", "b4"]) await hosts.add(n);
      const perHost = Math.ceil(idleWorkers / 4);
      idle = await runRemoteIdle(bin, hosts.configFile, ["b1", "b2", "b3", "b4"], perHost, idleSeconds);
    }
    return { workers, tasks, peerTasks, local: local.all, localOne: local.one, rows, frozen, idle };
  } finally {
    b.close();
  }
}

export function remoteTable(r: RemoteResult): string[] {
  const f = (v: number) => v.toFixed(1);
  const line = (what: string, x: RunResult) =>
    `  ${what.padEnd(34)} | ${f(x.tasksPerSec).padStart(7)} | ${f(x.detection.p50).padStart(7)} / ${f(x.detection.p99).padStart(7)}`;
  const { frozen, idle } = r;
  return [
    `remote: ${r.workers} shell workers on one host over ssh (real sshd), ${r.tasks} tasks (peers' way ${r.peerTasks})`,
    "  contender                          | tasks/s | detection p50 / p99 ms",
    line("orch, this machine", r.local),
    line("  1 worker", r.localOne),
    ...r.rows.flatMap((x) => [
      line(`orch, host at +${x.addedRttMs} ms RTT`, x.remote),
      line("  1 worker", x.remoteOne),
      line(`ssh per call + poll, +${x.addedRttMs} ms RTT`, x.sshpoll),
      `  ${"orch over the peers' way".padEnd(34)} | ${(x.remote.tasksPerSec / x.sshpoll.tasksPerSec).toFixed(1)}x`,
    ]),
    `  one host frozen: ${frozen.workers} workers on the other host, ${f(frozen.before)} tasks/s before, ${f(frozen.during)} while frozen (${frozen.ratio.toFixed(2)}x)`,
    ...(idle
      ? [
          `  ${idle.workers} idle workers on ${idle.hosts} hosts: controller ${idle.cpuPercent.toFixed(2)}% of a core, ${f(idle.rssMB)} MB RSS; orch status --json ${f(idle.statusMs)} ms`,
        ]
      : []),
  ];
}
