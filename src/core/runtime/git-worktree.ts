/**
 * Git worktrees, through the `git` command: where a directory's repository is, a worktree on a
 * branch of its own, and its removal. An expected failure (not a repository, a branch in use,
 * no git) is a {@link Result} with its reason (git's own words where it gave some), never an
 * exception.
 */
import { existsSync } from "node:fs";
import { execa } from "execa";
import { fail, ok, type Result } from "../domain/result.ts";

/** Where a directory sits in its repository. */
export interface RepoLocation {
  /** The top folder of the (main or linked) working tree the directory is in. */
  root: string;
  /** The directory relative to `root`, "" at the top, else ending in "/" (`src/app/`). */
  subdir: string;
}

/** What {@link addWorktree} did. */
export interface WorktreeAdded {
  path: string;
  branch: string;
  /** The branch existed (checked out nowhere) and was reused instead of made. */
  reused: boolean;
}

/**
 * The branch a worker's worktree is on: `orch/NAME`.
 *
 * @example
 * ```ts
 * worktreeBranch("c1"); // "orch/c1"
 * ```
 */
export function worktreeBranch(worker: string): string {
  return `orch/${worker}`;
}

/**
 * How one git command ended: its exit code (null when git did not run), what it printed, and
 * its last error line (or why it did not run). Not a {@link Result}: a non-zero exit is an
 * answer to some questions (`show-ref --verify`: no such branch), so each caller decides.
 */
interface GitRun {
  exitCode: number | null;
  stdout: string;
  error: string;
}

/** Runs git; never throws. */
async function git(args: string[]): Promise<GitRun> {
  const r = await execa("git", args, {
    reject: false,
    stdin: "ignore",
    // never wait on a prompt; messages in English, so they can be recognised
    env: { GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
  });
  if (r.exitCode === undefined) {
    const why =
      (r as { code?: string }).code === "ENOENT"
        ? "git is not installed (not on PATH)"
        : (r.shortMessage ?? "git did not run");
    return { exitCode: null, stdout: "", error: why };
  }
  const lines = String(r.stderr ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const error = lines.findLast((l) => l.startsWith("fatal:") || l.startsWith("error:")) ?? lines.at(-1) ?? "";
  return { exitCode: r.exitCode, stdout: String(r.stdout ?? ""), error };
}

/**
 * The repository `dir` is in, and where in it. Fails with code `not_found` and `not a git
 * repository` when it is in none (also for a bare repository, which has no working tree to
 * copy), and with `unavailable` when git does not run or fails otherwise.
 *
 * @example
 * ```ts
 * await locateRepo("/src/app/web"); // { ok: true, value: { root: "/src/app", subdir: "web/" } }
 * await locateRepo("/tmp");         // { ok: false, code: "not_found", error: "not a git repository" }
 * ```
 */
export async function locateRepo(dir: string): Promise<Result<RepoLocation>> {
  const r = await git(["-C", dir, "rev-parse", "--show-toplevel", "--show-prefix"]);
  if (r.exitCode !== 0) {
    if (/not a git repository|must be run in a work tree/.test(r.error)) {
      return fail("not_found", "not a git repository");
    }
    return fail("unavailable", r.error || `git exited with ${r.exitCode}`);
  }
  const [root = "", subdir = ""] = r.stdout.split("\n");
  if (!root) return fail("not_found", "not a git repository");
  return ok({ root, subdir });
}

/**
 * Adds a worktree of the repository at `repo` in `path`, on a new branch `branch` made from the
 * repository's current HEAD. A branch of that name that already exists is reused when no
 * worktree has it checked out, and refused (naming where it is checked out) when one has.
 *
 * @example
 * ```ts
 * const r = await addWorktree({ repo: "/src/app", path: "/home/me/.local/state/orch/worktrees/c1", branch: "orch/c1" });
 * if (!r.ok) console.error(r.error); // e.g. "branch orch/c1 already exists and is checked out at /src/app-c1: ..."
 * ```
 */
export async function addWorktree(o: {
  repo: string;
  path: string;
  branch: string;
}): Promise<Result<WorktreeAdded>> {
  const exists = await git(["-C", o.repo, "show-ref", "--verify", "--quiet", `refs/heads/${o.branch}`]);
  if (exists.exitCode === null) return fail("unavailable", exists.error);
  if (exists.exitCode !== 0) {
    const head = await git(["-C", o.repo, "rev-parse", "--verify", "--quiet", "HEAD"]);
    if (head.exitCode !== 0)
      return fail("bad_input", "the repository has no commit yet (HEAD points to nothing)");
    const r = await git(["-C", o.repo, "worktree", "add", "-b", o.branch, o.path, "HEAD"]);
    if (r.exitCode !== 0)
      return fail("unavailable", `git worktree add failed: ${r.error || `exit ${r.exitCode}`}`);
    return ok({ path: o.path, branch: o.branch, reused: false });
  }
  // forget worktrees whose folders are gone, so a branch they held counts as free
  await git(["-C", o.repo, "worktree", "prune"]);
  const list = await git(["-C", o.repo, "worktree", "list", "--porcelain"]);
  const at = list.exitCode === 0 ? checkedOutAt(list.stdout, o.branch) : null;
  if (at !== null) {
    return fail(
      "conflict",
      `branch ${o.branch} already exists and is checked out at ${at}: pick another --name, or remove that worktree`,
    );
  }
  const r = await git(["-C", o.repo, "worktree", "add", o.path, o.branch]);
  if (r.exitCode !== 0)
    return fail("unavailable", `git worktree add failed: ${r.error || `exit ${r.exitCode}`}`);
  return ok({ path: o.path, branch: o.branch, reused: true });
}

/** The worktree that has `branch` checked out, from `git worktree list --porcelain`, or null. */
function checkedOutAt(porcelain: string, branch: string): string | null {
  for (const block of porcelain.split("\n\n")) {
    const lines = block.split("\n");
    if (lines.includes(`branch refs/heads/${branch}`)) {
      return lines.find((l) => l.startsWith("worktree "))?.slice("worktree ".length) ?? "?";
    }
  }
  return null;
}

/**
 * Removes the worktree at `path` (`git worktree remove --force`: changes in it are lost, its
 * branch and the commits on it stay). A folder that is already gone counts as removed.
 *
 * @example
 * ```ts
 * const r = await removeWorktree("/home/me/.local/state/orch/worktrees/c1");
 * if (!r.ok) console.warn(`worktree left at ${"/home/me/.local/state/orch/worktrees/c1"}: ${r.error}`);
 * ```
 */
export async function removeWorktree(path: string): Promise<Result<{ alreadyGone: boolean }>> {
  if (!existsSync(path)) return ok({ alreadyGone: true });
  const r = await git(["-C", path, "worktree", "remove", "--force", path]);
  if (r.exitCode !== 0) return fail("unavailable", r.error || `git exited with ${r.exitCode}`);
  return ok({ alreadyGone: false });
}
