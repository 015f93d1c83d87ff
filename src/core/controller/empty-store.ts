/** A store file emptied (truncated, overwritten) in a home that had history: not a fresh start. */
import { readdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { OrchPaths } from "./paths.ts";

/** Size of `path`, 0 when it is missing. */
function size(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}

/** The names in `dir` (none when it is missing). */
function names(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * What in this home shows orch ran here before: pane logs of workers, the tmux events file,
 * workers' folders, stores kept by `orch restore`. Empty when there is none.
 */
export function homeHistory(paths: OrchPaths): string[] {
  const found: string[] = [];
  const logs = names(paths.logsDir).filter(
    (n) => n.endsWith(".log") && join(paths.logsDir, n) !== paths.controllerLog,
  );
  if (logs.length > 0) found.push(`${logs.length} pane log(s) in ${paths.logsDir}`);
  if (size(paths.tmuxEvents) > 0) found.push(`the tmux events file ${paths.tmuxEvents}`);
  if (names(paths.workersDir).length > 0) found.push(`workers' folders in ${paths.workersDir}`);
  const dbName = basename(paths.db);
  const kept = names(dirname(paths.db)).filter((n) => n.startsWith(`${dbName}.before-restore-`));
  if (kept.length > 0) found.push(`${kept.length} store(s) kept by orch restore`);
  return found;
}

/**
 * Why the controller must not start on this store: `orch.db` exists with zero bytes while the
 * home shows orch ran here before, so its tasks and workers were lost and starting would
 * silently begin anew. Null when the file is missing, not empty, or the home is new.
 *
 * @example
 * ```ts
 * emptyStoreRefusal(orchPaths(home)); // "the orch store /h/orch.db is empty (0 bytes), but this home has history (...): ..."
 * ```
 */
export function emptyStoreRefusal(paths: OrchPaths): string | null {
  const st = statSync(paths.db, { throwIfNoEntry: false });
  if (!st?.isFile() || st.size > 0) return null;
  const history = homeHistory(paths);
  if (history.length === 0) return null;
  return (
    `the orch store ${paths.db} is empty (0 bytes), but this home has history (${history.join(", ")}): ` +
    "its workers and tasks are gone. Stop orch, restore a backup with `orch restore FILE`, then start orch again " +
    `(or, to really start anew, remove ${paths.db})`
  );
}
