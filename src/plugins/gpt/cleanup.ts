/**
 * Codex's TUI starts a background `codex app-server` that outlives it. It inherits the
 * worker's environment, so orch finds it by the worker's ORCH_HOME and ORCH_WORKER and stops
 * it by pid.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Pids of processes whose environment has all of `env` and whose command line has `needle`. */
export function findProcesses(env: Record<string, string>, needle: string): number[] {
  const want = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const pids: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8").replaceAll("\0", " ");
      if (!cmd.includes(needle)) continue;
      const vars = readFileSync(`/proc/${d}/environ`, "utf8").split("\0");
      if (want.every((w) => vars.includes(w))) pids.push(Number(d));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** Stops the app-servers a worker's Codex left behind; returns their pids. */
export function stopAppServers(orchHome: string, worker: string): number[] {
  const pids = findProcesses({ ORCH_HOME: orchHome, ORCH_WORKER: worker }, "app-server");
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  return pids;
}
