/**
 * `bun run build`: compiles dist/orch, stamped with the commit it was built from and when
 * (`orch version --json`). Outside a git checkout the commit is "unknown".
 */
import { spawnSync } from "node:child_process";

const git = spawnSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8" });
const commit = git.status === 0 ? git.stdout.trim() : "unknown";
const dirty = git.status === 0 && spawnSync("git", ["diff", "--quiet", "HEAD", "--", "src"]).status === 1;
const stamp = { commit: dirty ? `${commit}+changes` : commit, date: new Date().toISOString() };
const r = spawnSync(
  process.execPath,
  [
    "build",
    "--compile",
    "--minify",
    "--sourcemap",
    "--bytecode",
    "--format=esm",
    "--define",
    `ORCH_BUILD=${JSON.stringify(JSON.stringify(stamp))}`,
    "src/cli/main.ts",
    "--outfile",
    "dist/orch",
    ...process.argv.slice(2),
  ],
  { stdio: "inherit" },
);
process.exit(r.status ?? 1);
