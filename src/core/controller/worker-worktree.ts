/**
 * A worker's own git worktree (`add-worker --worktree`): made at `$ORCH_HOME/worktrees/NAME` on
 * the branch `orch/NAME` when the worker is added, removed with the worker (the branch stays:
 * it holds the agent's commits).
 */
import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { errorMessage, fail, ok, type Result } from "../domain/result.ts";
import { addWorktree, locateRepo, removeWorktree, worktreeBranch } from "../runtime/git-worktree.ts";
import { type OrchPaths, workerWorktreePath } from "./paths.ts";

/** The worktree made for a worker, and where in it the worker runs. */
export interface WorkerWorktree {
  /** The worktree's folder. */
  worktree: string;
  /** The worker's project: the folder of the worktree that matches the project asked for. */
  project: string;
  branch: string;
  /** The repository the worktree belongs to (its top folder). */
  repo: string;
  /** The branch existed and was reused. */
  reused: boolean;
}

/**
 * Makes the worktree for worker `name` from the repository `project` is in. `fromConfig` says
 * the worktree was not asked for by `--worktree` but by the config (the message then says how
 * to do without). A subfolder of the repository maps to the same subfolder of the worktree.
 *
 * @example
 * ```ts
 * const r = await createWorkerWorktree(paths, "c1", "/src/app/web", false);
 * // ok: { worktree: "$ORCH_HOME/worktrees/c1", project: "$ORCH_HOME/worktrees/c1/web", branch: "orch/c1", ... }
 * // not a repository: { ok: false, code: "bad_input", error: "--worktree: /tmp/x is not in a git repository" }
 * ```
 */
export async function createWorkerWorktree(
  paths: OrchPaths,
  name: string,
  project: string,
  fromConfig: boolean,
): Promise<Result<WorkerWorktree>> {
  const flag = fromConfig ? "--worktree (worktree: true in the config or ORCH_WORKTREE)" : "--worktree";
  const hint = fromConfig ? "; pass --no-worktree to run in it as it is" : "";
  const where = await locateRepo(project);
  if (!where.ok) {
    if (where.code === "not_found") {
      return fail("bad_input", `${flag}: ${project} is not in a git repository${hint}`);
    }
    return fail("bad_input", `${flag}: cannot find the git repository of ${project}: ${where.error}`);
  }
  const { root, subdir } = where.value;
  try {
    mkdirSync(paths.worktreesDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    return fail("unavailable", `cannot make ${paths.worktreesDir}: ${errorMessage(e)}`);
  }
  const path = workerWorktreePath(paths, name);
  const added = await addWorktree({ repo: root, path, branch: worktreeBranch(name) });
  if (!added.ok)
    return fail("bad_input", `${flag}: no worktree of ${root} for worker "${name}": ${added.error}`);
  const inTree = resolve(path, subdir); // without the trailing "/" of the prefix
  // a folder git does not track (empty, or ignored) is not in the worktree: make it
  if (!existsSync(inTree)) mkdirSync(inTree, { recursive: true });
  return ok({
    worktree: path,
    project: inTree,
    branch: added.value.branch,
    repo: root,
    reused: added.value.reused,
  });
}

/** What became of a removed worker's worktree (the API's and the CLI's report of it). */
export interface WorktreeRemoval {
  path: string;
  /** The branch that was kept. */
  branch: string;
  removed: boolean;
  /** Why it could not be removed (the worker is removed all the same). */
  error: string | null;
}

/**
 * Removes the worktree of worker `name` at `path`, keeping its branch; never throws.
 *
 * @example
 * ```ts
 * const r = await removeWorkerWorktree("/home/me/.local/state/orch/worktrees/c1", "c1");
 * // { path: ".../worktrees/c1", branch: "orch/c1", removed: true, error: null }
 * ```
 */
export async function removeWorkerWorktree(path: string, name: string): Promise<WorktreeRemoval> {
  const branch = worktreeBranch(name);
  try {
    const r = await removeWorktree(path);
    return r.ok
      ? { path, branch, removed: true, error: null }
      : { path, branch, removed: false, error: r.error };
  } catch (e) {
    return { path, branch, removed: false, error: errorMessage(e) };
  }
}
