/**
 * Pruning: what `orch prune` and the retention setting (`retentionDays`) remove. Final tasks
 * finished before the cutoff with their attempts and output files, events and workflow runs
 * from before it, and pane logs nobody needs any more (a rotation's previous log, the log of a
 * worker that is gone) last written before it. A task that is not final is never touched.
 */
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Store } from "../store/index.ts";
import { type OrchPaths, taskOutputPath } from "./paths.ts";

/** What a prune removed, or with `dryRun` would remove: the `orch prune --json` answer. */
export interface PruneReport {
  dryRun: boolean;
  /** Things older than this (ISO time) were removed. */
  cutoff: string;
  /** The ids of the tasks removed. */
  tasks: string[];
  events: number;
  runs: number;
  /** Files removed: full task outputs and pane logs. */
  files: string[];
  /** Bytes those files held. */
  bytes: number;
}

/** What a prune works on. */
export interface PruneDeps {
  store: Store;
  paths: Pick<OrchPaths, "outputsDir" | "logsDir" | "controllerLog">;
}

/** The controller's own log and its rotations are never pruned. */
const CONTROLLER_LOG = /^controller\.log/;

/** Size and last write of `file`, or null when it is not there. */
function fileFacts(file: string): { size: number; mtimeMs: number } | null {
  const st = statSync(file, { throwIfNoEntry: false });
  return st?.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : null;
}

/**
 * Removes (or with `dryRun` lists) everything older than `cutoff` (ms since the epoch); with
 * `maxTasks`, stops after the batch that reaches it (the rest is for the next prune).
 *
 * @example
 * ```ts
 * const r = pruneOlderThan({ store, paths }, Date.now() - 30 * 86_400_000, false);
 * r.tasks.length; // how many tasks went
 * ```
 */
export function pruneOlderThan(
  d: PruneDeps,
  cutoff: number,
  dryRun: boolean,
  maxTasks = Number.POSITIVE_INFINITY,
): PruneReport {
  const report: PruneReport = {
    dryRun,
    cutoff: new Date(cutoff).toISOString(),
    tasks: [],
    events: 0,
    runs: 0,
    files: [],
    bytes: 0,
  };
  const remove = (file: string) => {
    const f = fileFacts(file);
    if (!f) return;
    if (!dryRun) rmSync(file, { force: true });
    report.files.push(file);
    report.bytes += f.size;
  };
  let after = 0;
  while (report.tasks.length < maxTasks) {
    const batch = d.store.prune.oldTasks(cutoff, after);
    if (batch.length === 0) break;
    const ids = batch.map((t) => t.id);
    if (dryRun) after = batch.at(-1)!.seq;
    else d.store.transaction(() => d.store.prune.deleteTasks(ids));
    report.tasks.push(...ids);
    for (const id of ids) remove(taskOutputPath(d.paths, id));
  }
  d.store.transaction(() => {
    report.events = d.store.prune.oldEvents(cutoff, dryRun);
    report.runs = d.store.prune.oldRuns(cutoff, dryRun);
  });
  pruneOrphanOutputs(d, cutoff, remove);
  pruneLogs(d, cutoff, remove);
  return report;
}

/** Output files of tasks no longer in the store (e.g. after a restore), last written before `cutoff`. */
function pruneOrphanOutputs(d: PruneDeps, cutoff: number, remove: (file: string) => void): void {
  for (const name of listDir(d.paths.outputsDir)) {
    const m = /^(.+)\.out$/.exec(name);
    const file = join(d.paths.outputsDir, name);
    if (!m || d.store.prune.hasTask(m[1]!)) continue;
    if ((fileFacts(file)?.mtimeMs ?? Number.POSITIVE_INFINITY) < cutoff) remove(file);
  }
}

/**
 * Pane logs last written before `cutoff`: a rotation's previous log (`NAME.log.1`), and the
 * logs of workers the store no longer has. A live worker's current log is only rotated.
 */
function pruneLogs(d: PruneDeps, cutoff: number, remove: (file: string) => void): void {
  const workers = new Set(d.store.workers.list().map((w) => w.name));
  for (const name of listDir(d.paths.logsDir)) {
    if (CONTROLLER_LOG.test(name)) continue;
    const file = join(d.paths.logsDir, name);
    const old = (fileFacts(file)?.mtimeMs ?? Number.POSITIVE_INFINITY) < cutoff;
    if (!old) continue;
    const m = /^(.+)\.log(\.1)?$/.exec(name);
    if (!m) continue;
    if (m[2] || !workers.has(m[1]!)) remove(file);
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
