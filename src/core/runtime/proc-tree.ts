/** How much memory and CPU a worker's process tree uses, read from Linux `/proc`. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { errorMessage } from "../domain/result.ts";
import { parseProcStat } from "./proc-stat.ts";

/** One process in a {@link snapshotProcesses} snapshot. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  /** Resident memory, in bytes. */
  rssBytes: number;
  /** CPU time used so far in user and kernel mode (utime + stime), in milliseconds. */
  cpuMs: number;
}

/** Units of `/proc/PID/stat`: `getconf CLK_TCK` and `getconf PAGESIZE`. */
export interface ProcUnits {
  /** Default 100, what Linux reports on every common architecture. */
  clockTicksPerSec?: number;
  /** Default 4096. */
  pageSize?: number;
}

/**
 * One pass over `procRoot`: every process's parent, RSS and CPU time, by pid. Processes that
 * vanish mid-scan (or whose stat cannot be read or parsed) are skipped. Throws an Error naming
 * `procRoot` if it cannot be listed at all (e.g. not Linux).
 *
 * @example
 * ```ts
 * const snapshot = snapshotProcesses();
 * snapshot.get(process.pid)?.rssBytes; // e.g. 52_428_800
 * ```
 */
export function snapshotProcesses(procRoot = "/proc", opts: ProcUnits = {}): Map<number, ProcInfo> {
  const ticksPerSec = opts.clockTicksPerSec ?? 100;
  const pageSize = opts.pageSize ?? 4096;
  let names: string[];
  try {
    names = readdirSync(procRoot);
  } catch (err) {
    throw new Error(`cannot list processes in ${procRoot}: ${errorMessage(err)}; expected a Linux /proc`, {
      cause: err,
    });
  }
  const snapshot = new Map<number, ProcInfo>();
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    let text: string;
    try {
      text = readFileSync(join(procRoot, name, "stat"), "utf8");
    } catch {
      continue; // exited between readdir and read
    }
    addStat(snapshot, text, ticksPerSec, pageSize);
  }
  return snapshot;
}

/** Adds the process of one `/proc/PID/stat` text to a snapshot (one that does not parse is left out). */
function addStat(snapshot: Map<number, ProcInfo>, text: string, ticksPerSec: number, pageSize: number): void {
  const parsed = parseProcStat(text);
  if (!parsed.ok) return;
  const { pid, ppid, utimeTicks, stimeTicks, rssPages } = parsed.value;
  snapshot.set(pid, {
    pid,
    ppid,
    rssBytes: rssPages * pageSize,
    cpuMs: ((utimeTicks + stimeTicks) * 1000) / ticksPerSec,
  });
}

/**
 * A snapshot like {@link snapshotProcesses} from the text of many `/proc/PID/stat` files one
 * after another (what `cat` of every `/proc/PID/stat` prints on another machine); lines that do not
 * parse are skipped.
 *
 * @example
 * ```ts
 * snapshotFromStats("4100 (bash) S 1 4100 ...\n4101 (sleep) S 4100 ...\n").size; // 2
 * ```
 */
export function snapshotFromStats(text: string, opts: ProcUnits = {}): Map<number, ProcInfo> {
  const ticksPerSec = opts.clockTicksPerSec ?? 100;
  const pageSize = opts.pageSize ?? 4096;
  const snapshot = new Map<number, ProcInfo>();
  for (const line of text.split("\n")) if (line) addStat(snapshot, line, ticksPerSec, pageSize);
  return snapshot;
}

/** What {@link treeUsage} returns: the processes of a tree and their summed usage. */
export interface TreeUsage {
  /** The root first, then its descendants breadth-first. */
  pids: number[];
  rssBytes: number;
  cpuMs: number;
}

/** Children by parent pid, built once per snapshot (snapshots are not changed after they are taken). */
const childrenCache = new WeakMap<Map<number, ProcInfo>, Map<number, number[]>>();

/**
 * The root and all its descendants in a snapshot, with their RSS and CPU time summed; null if
 * the root is not in the snapshot. O(processes) for the first call on a snapshot, O(tree) after.
 *
 * @example
 * ```ts
 * treeUsage(snapshotProcesses(), panePid); // { pids: [4100, 4101, 4107], rssBytes: 31_457_280, cpuMs: 2340 }
 * treeUsage(snapshotProcesses(), 999_999); // null
 * ```
 */
export function treeUsage(snapshot: Map<number, ProcInfo>, rootPid: number): TreeUsage | null {
  if (!snapshot.has(rootPid)) return null;
  const children = childrenOf(snapshot);
  const pids = [rootPid];
  const seen = new Set(pids);
  let rssBytes = 0;
  let cpuMs = 0;
  for (let i = 0; i < pids.length; i++) {
    const pid = pids[i]!;
    const info = snapshot.get(pid)!;
    rssBytes += info.rssBytes;
    cpuMs += info.cpuMs;
    for (const child of children.get(pid) ?? []) {
      if (seen.has(child)) continue; // only a malformed snapshot has cycles, but do not loop on one
      seen.add(child);
      pids.push(child);
    }
  }
  return { pids, rssBytes, cpuMs };
}

/** The snapshot's children map, from the cache or built now. */
function childrenOf(snapshot: Map<number, ProcInfo>): Map<number, number[]> {
  const cached = childrenCache.get(snapshot);
  if (cached) return cached;
  const children = new Map<number, number[]>();
  for (const { pid, ppid } of snapshot.values()) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  childrenCache.set(snapshot, children);
  return children;
}
