/**
 * Hosts at scale (part of bench section "remote"): a frozen host must not slow the others (the
 * tasks/s of workers on one host before and while another host's sshd is stopped with
 * SIGSTOP), and many idle workers spread over several hosts must cost the controller little
 * (its CPU and RSS over a quiet window, and how long `orch status --json` takes).
 */
import { readFileSync } from "node:fs";
import type { SshHosts } from "../tests/helpers/ssh-hosts.ts";
import { measureOrch, type OrchInstance, startOrch } from "./orch.ts";
import { CLK_TCK, cpuTicks } from "./proc-cpu.ts";
import { median, nowMs } from "./stats.ts";

export interface FrozenResult {
  workers: number;
  tasks: number;
  /** tasks/s of the workers on the healthy host, before and while the other host is frozen. */
  before: number;
  during: number;
  ratio: number;
}

export interface RemoteIdleResult {
  hosts: number;
  workers: number;
  seconds: number;
  cpuPercent: number;
  rssMB: number;
  /** Median wall time of `orch status --json` (ms) over 5 runs. */
  statusMs: number;
}

async function addHosts(o: OrchInstance, names: string[]): Promise<void> {
  for (const n of names) {
    const r = await o.cli("host", "add", n, n);
    if (r.code !== 0) throw new Error(`orch host add ${n}: ${r.stderr || r.stdout}`);
  }
}

/** Waits until `orch host show NAME` says `state` (60 s at most). */
async function hostState(o: OrchInstance, name: string, state: string): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const r = await o.cli("host", "show", name, "--json");
    if (r.code === 0 && (JSON.parse(r.stdout) as { state: string }).state === state) return;
    await Bun.sleep(200);
  }
  throw new Error(`host ${name} not ${state} within 60 s`);
}

/** Workers on host `a` and on `b`; `b`'s tasks/s alone, then again while `a`'s sshd is frozen. */
export async function runFrozen(
  bin: string,
  hosts: SshHosts,
  sshConfig: string,
  [a, b]: [string, string],
  workers: number,
  tasks: number,
): Promise<FrozenResult> {
  const o = await startOrch(bin, { ORCH_SSH_CONFIG: sshConfig });
  try {
    await addHosts(o, [a, b]);
    await o.addShellWorkers(workers, "a", a);
    const onB = await o.addShellWorkers(workers, "b", b);
    const before = await measureOrch(o, onB, tasks, "remote");
    hosts.freeze(a, true);
    try {
      await hostState(o, a, "offline");
      const during = await measureOrch(o, onB, tasks, "remote", 0);
      return {
        workers,
        tasks,
        before: before.tasksPerSec,
        during: during.tasksPerSec,
        ratio: during.tasksPerSec / before.tasksPerSec,
      };
    } finally {
      hosts.freeze(a, false);
    }
  } finally {
    await o.close();
  }
}

/** `perHost` idle shell workers on each host; the controller watched for `seconds`. */
export async function runRemoteIdle(
  bin: string,
  sshConfig: string,
  names: string[],
  perHost: number,
  seconds: number,
  env: Record<string, string> = {},
): Promise<RemoteIdleResult> {
  const o = await startOrch(bin, { ORCH_SSH_CONFIG: sshConfig, ...env });
  try {
    await addHosts(o, names);
    await Promise.all(names.map((h, i) => o.addShellWorkers(perHost, `i${i}-`, h)));
    await Bun.sleep(3000); // let the starts settle
    const c0 = cpuTicks(o.pid);
    const s0 = nowMs();
    await Bun.sleep(seconds * 1000);
    const wall = (nowMs() - s0) / 1000;
    const cpuPercent = ((cpuTicks(o.pid) - c0) / CLK_TCK / wall) * 100;
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${o.pid}/status`, "utf8"));
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = nowMs();
      const r = await o.cli("status", "--json");
      if (r.code !== 0) throw new Error(`orch status: ${r.stderr}`);
      times.push(nowMs() - t0);
    }
    return {
      hosts: names.length,
      workers: names.length * perHost,
      seconds: wall,
      cpuPercent,
      rssMB: rss ? Number(rss[1]) / 1024 : Number.NaN,
      statusMs: median(times),
    };
  } finally {
    await o.close();
  }
}
