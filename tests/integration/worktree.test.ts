import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OrchHarness, type StatusJson } from "../helpers/orch-harness.ts";

/** A worker's JSON with the key add-worker --worktree adds. */
type WorkerWithTree = StatusJson["workers"][number] & { worktree: string | null };

const GIT_ENV = {
  GIT_AUTHOR_NAME: "orch test",
  GIT_AUTHOR_EMAIL: "orch@test.invalid",
  GIT_COMMITTER_NAME: "orch test",
  GIT_COMMITTER_EMAIL: "orch@test.invalid",
  GIT_CONFIG_NOSYSTEM: "1",
};

function git(cwd: string, ...args: string[]): string {
  const p = Bun.spawnSync(["git", ...args], { cwd, env: { ...process.env, ...GIT_ENV } });
  if (p.exitCode !== 0) throw new Error(`git ${args.join(" ")} exited ${p.exitCode}: ${p.stderr.toString()}`);
  return p.stdout.toString();
}

/** A git repository with one commit, a tracked subfolder `app/` and a file in each. */
function makeRepo(dir: string): string {
  mkdirSync(join(dir, "app"), { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  writeFileSync(join(dir, "README"), "hello\n");
  writeFileSync(join(dir, "app", "main.txt"), "app\n");
  git(dir, "add", ".");
  git(dir, "commit", "-q", "-m", "first");
  return dir;
}

async function workers(orch: OrchHarness): Promise<WorkerWithTree[]> {
  return (await orch.json<{ workers: WorkerWithTree[] }>(["status"])).workers;
}

describe("add-worker --worktree", () => {
  const orch = new OrchHarness("dist");
  let repo = "";
  beforeAll(async () => {
    await orch.ok(["start"]);
    repo = makeRepo(orch.project("repo"));
    for (const name of ["a", "b"]) {
      await orch.ok(["add-worker", "--type", "shell", "--project", repo, "--name", name, "--worktree"]);
    }
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("each worker runs in a worktree of its own under ORCH_HOME/worktrees, on branch orch/NAME", async () => {
    const ws = await workers(orch);
    for (const name of ["a", "b"]) {
      const w = ws.find((x) => x.name === name)!;
      const tree = join(orch.home, "worktrees", name);
      expect(w.worktree).toBe(tree);
      expect(w.project).toBe(tree);
      expect((await orch.sendWait(name, "pwd; git branch --show-current")).output).toBe(
        `${tree}\norch/${name}\n`,
      );
      expect(readFileSync(join(tree, "README"), "utf8")).toBe("hello\n");
    }
    expect(statSync(join(orch.home, "worktrees")).mode & 0o777).toBe(0o700);
    const list = git(repo, "worktree", "list", "--porcelain");
    expect(list).toContain(`worktree ${join(orch.home, "worktrees", "a")}\n`);
    expect(list).toContain("branch refs/heads/orch/a\n");
    expect(list).toContain(`worktree ${join(orch.home, "worktrees", "b")}\n`);
    expect(list).toContain("branch refs/heads/orch/b\n");
  });

  test("two workers write the same file name, and each sees only its own", async () => {
    for (const name of ["a", "b"]) {
      const r = await orch.run(["send", name, "--wait", "--", `echo from-${name} > notes.txt`]);
      expect(r.code).toBe(0);
    }
    for (const name of ["a", "b"]) {
      const r = await orch.run(["send", name, "--wait", "--", "cat notes.txt"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`from-${name}\n`);
    }
    expect(existsSync(join(repo, "notes.txt"))).toBe(false);
  });

  test("a subfolder of the repository maps to the same subfolder of the worktree", async () => {
    await orch.ok([
      "add-worker",
      "--type",
      "shell",
      "--project",
      join(repo, "app"),
      "--name",
      "sub",
      "--worktree",
    ]);
    const w = (await workers(orch)).find((x) => x.name === "sub")!;
    expect(w.worktree).toBe(join(orch.home, "worktrees", "sub"));
    expect(w.project).toBe(join(orch.home, "worktrees", "sub", "app"));
    expect((await orch.sendWait("sub", "pwd; cat main.txt")).output).toBe(`${w.project}\napp\n`);
    await orch.ok(["kill-worker", "sub"]);
  });

  test("kill-worker removes the worktree and keeps the branch with the agent's commits", async () => {
    const commit = await orch.sendWait(
      "a",
      `git add notes.txt && git -c user.name=t -c user.email=t@t.invalid commit -qm agent && echo done`,
    );
    expect(commit.output).toBe("done\n");
    const tree = join(orch.home, "worktrees", "a");
    const r = await orch.run(["kill-worker", "a"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("killed a");
    expect(r.stdout).toContain(`removed its worktree ${tree}; its branch orch/a is kept`);
    expect(existsSync(tree)).toBe(false);
    expect(git(repo, "worktree", "list", "--porcelain")).not.toContain(tree);
    expect(git(repo, "branch", "--list", "orch/a")).toContain("orch/a");
    expect(git(repo, "log", "-1", "--format=%s", "orch/a")).toBe("agent\n");
    expect((await workers(orch)).map((w) => w.name)).not.toContain("a");
  });

  test("a branch orch/NAME checked out nowhere is reused; one checked out is refused, naming it", async () => {
    // orch/a survived the kill above and is checked out nowhere now
    await orch.ok(["add-worker", "--type", "shell", "--project", repo, "--name", "a", "--worktree"]);
    expect((await orch.sendWait("a", "git branch --show-current; cat notes.txt")).output).toBe(
      "orch/a\nfrom-a\n",
    );
    git(repo, "branch", "orch/c");
    const elsewhere = join(orch.root, "elsewhere");
    git(repo, "worktree", "add", "-q", elsewhere, "orch/c");
    const r = await orch.run([
      "add-worker",
      "--type",
      "shell",
      "--project",
      repo,
      "--name",
      "c",
      "--worktree",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`branch orch/c already exists and is checked out at ${elsewhere}`);
    expect((await workers(orch)).map((w) => w.name)).not.toContain("c");
  });

  test("a worktree that cannot be removed is reported, and the worker is removed all the same", async () => {
    const tree = join(orch.home, "worktrees", "b");
    // git refuses to remove a locked worktree with a single --force
    git(repo, "worktree", "lock", tree);
    const r = await orch.run(["kill-worker", "b"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("killed b");
    expect(r.stderr).toContain(`warning: the worktree ${tree} was not removed`);
    expect(r.stderr).toContain("its branch orch/b is kept");
    expect((await workers(orch)).map((w) => w.name)).not.toContain("b");
    git(repo, "worktree", "unlock", tree);
  });

  test("--worktree on a folder outside any git repository is refused with exit 2", async () => {
    const plain = orch.project("plain");
    const r = await orch.run(["add-worker", "--type", "shell", "--project", plain, "--worktree"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--worktree: ${plain} is not in a git repository`);
    expect(existsSync(join(orch.home, "worktrees", "shell-1"))).toBe(false);
  });

  test("without --worktree the worker runs in the project itself", async () => {
    await orch.ok(["add-worker", "--type", "shell", "--project", repo, "--name", "plain"]);
    const w = (await workers(orch)).find((x) => x.name === "plain")!;
    expect(w).toMatchObject({ project: repo, worktree: null });
  });
});

describe("ORCH_WORKTREE=1", () => {
  const orch = new OrchHarness("dist", { ORCH_WORKTREE: "1" });
  let repo = "";
  beforeAll(async () => {
    await orch.ok(["start"]);
    repo = makeRepo(orch.project("repo"));
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("makes a worktree the default, and --no-worktree turns it off", async () => {
    await orch.ok(["add-worker", "--type", "shell", "--project", repo, "--name", "dflt"]);
    await orch.ok(["add-worker", "--type", "shell", "--project", repo, "--name", "own", "--no-worktree"]);
    const ws = await workers(orch);
    expect(ws.find((w) => w.name === "dflt")).toMatchObject({
      project: join(orch.home, "worktrees", "dflt"),
      worktree: join(orch.home, "worktrees", "dflt"),
    });
    expect(ws.find((w) => w.name === "own")).toMatchObject({ project: repo, worktree: null });
  });

  test("outside a repository, the refusal says how to do without", async () => {
    const plain = orch.project("plain");
    const r = await orch.run(["add-worker", "--type", "shell", "--project", plain]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${plain} is not in a git repository`);
    expect(r.stderr).toContain("--no-worktree");
    await orch.ok(["add-worker", "--type", "shell", "--project", plain, "--no-worktree"]);
  });

  test("revive keeps the worker in the same worktree", async () => {
    const tree = join(orch.home, "worktrees", "dflt");
    await orch.sendWait("dflt", "echo kept > mark.txt");
    await orch.ok(["revive", "dflt", "--force"]); // a healthy idle worker is restarted only with --force
    expect((await orch.sendWait("dflt", "pwd; cat mark.txt")).output).toBe(`${tree}\nkept\n`);
  });

  test("stop --kill-workers removes the worktrees too", async () => {
    await orch.ok(["stop", "--kill-workers"]);
    expect(existsSync(join(orch.home, "worktrees", "dflt"))).toBe(false);
    expect(git(repo, "branch", "--list", "orch/dflt")).toContain("orch/dflt");
  });
});
