/**
 * Idle cost and CLI start time: the controller's CPU (% of one core) and RSS with many idle
 * shell workers, read from /proc, and the median wall time of `orch --help`.
 */
import { readFileSync } from "node:fs";
import { startOrch } from "./orch.ts";
import { CLK_TCK, cpuTicks } from "./proc-cpu.ts";
import { median, nowMs } from "./stats.ts";

export interface IdleResult {
  workers: number;
  seconds: number;
  controllerPid: number;
  /** Controller CPU over the window, in % of one core. */
  cpuPercent: number;
  /** Controller resident memory at the end of the window, in MB (VmRSS), and its peak (VmHWM). */
  rssMB: number;
  peakRssMB: number;
  /** The tmux server's CPU over the same window, for context. */
  tmuxCpuPercent: number | null;
}

export interface HelpResult {
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

function statusKB(pid: number, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : Number.NaN;
}

/** Starts orch with `workers` idle shell workers and watches the controller for `seconds`. */
export async function runIdle(bin: string, workers: number, seconds: number): Promise<IdleResult> {
  const o = await startOrch(bin);
  try {
    await o.addShellWorkers(workers, "idle");
    await Bun.sleep(2000); // let the start settle
    const tmuxPidOut = Bun.spawnSync([
      "tmux",
      "-S",
      `${o.home}/tmux.sock`,
      "display-message",
      "-p",
      "#{pid}",
    ]);
    const tmuxPid = Number(tmuxPidOut.stdout.toString().trim()) || null;
    const c0 = cpuTicks(o.pid);
    const t0 = tmuxPid ? cpuTicks(tmuxPid) : 0;
    const s0 = nowMs();
    await Bun.sleep(seconds * 1000);
    const c1 = cpuTicks(o.pid);
    const t1 = tmuxPid ? cpuTicks(tmuxPid) : 0;
    const wall = (nowMs() - s0) / 1000;
    return {
      workers,
      seconds: wall,
      controllerPid: o.pid,
      cpuPercent: ((c1 - c0) / CLK_TCK / wall) * 100,
      rssMB: statusKB(o.pid, "VmRSS") / 1024,
      peakRssMB: statusKB(o.pid, "VmHWM") / 1024,
      tmuxCpuPercent: tmuxPid ? ((t1 - t0) / CLK_TCK / wall) * 100 : null,
    };
  } finally {
    await o.close();
  }
}

/** Median wall time of `bin --help` over `runs` runs (after one untimed run). */
export async function runHelp(bin: string, runs: number): Promise<HelpResult> {
  const once = async () => {
    const t = nowMs();
    const p = Bun.spawn([bin, "--help"], { stdout: "ignore", stderr: "ignore", stdin: "ignore" });
    const code = await p.exited;
    if (code !== 0) throw new Error(`${bin} --help exited ${code}`);
    return nowMs() - t;
  };
  await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  return { runs, medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times) };
}
