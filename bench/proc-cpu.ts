/** CPU time of a process from /proc, for the bench's cost figures. */
import { readFileSync } from "node:fs";

/** Clock ticks per second (`getconf CLK_TCK`, 100 when it cannot be read). */
export const CLK_TCK = (() => {
  const r = Bun.spawnSync(["getconf", "CLK_TCK"]);
  const n = Number(r.stdout.toString().trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state), so utime (14) is fields[11] and stime (15) fields[12]
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU milliseconds a process has used so far. */
export function cpuMs(pid: number): number {
  return (cpuTicks(pid) * 1000) / CLK_TCK;
}

/** The pid of the tmux server on `socket`, or null when it does not answer. */
export function tmuxServerPid(socket: string): number | null {
  const r = Bun.spawnSync(["tmux", "-S", socket, "display-message", "-p", "#{pid}"], { stderr: "ignore" });
  const pid = Number(r.stdout.toString().trim());
  return r.exitCode === 0 && Number.isInteger(pid) && pid > 0 ? pid : null;
}
