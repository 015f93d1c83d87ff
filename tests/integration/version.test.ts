/** `orch version` through the compiled binary: the version, and the commit and date `bun run build` stamped. */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import pkg from "../../package.json" with { type: "json" };
import { OrchHarness } from "../helpers/orch-harness.ts";

describe("orch version (compiled binary)", () => {
  const orch = new OrchHarness("dist");

  test("--json: the package's version, the commit the binary was built from, when, runtime and platform", async () => {
    const v = await orch.json<{
      version: string;
      commit: string;
      date: string;
      runtime: string;
      platform: string;
    }>(["version"]);
    expect(v.version).toBe(pkg.version);
    const head = spawnSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8" }).stdout.trim();
    expect(head).toMatch(/^[0-9a-f]{12}$/);
    // built by `bun run build` from this checkout (the test command builds first)
    expect(v.commit.startsWith(head)).toBe(true);
    const built = Date.parse(v.date);
    expect(Number.isNaN(built)).toBe(false);
    expect(built).toBeLessThanOrEqual(Date.now());
    expect(v.runtime).toMatch(/^bun \d+\.\d+\.\d+$/);
    expect(v.platform).toBe(`${process.platform}-${process.arch}`);
    const line = await orch.ok(["version"]);
    expect(line).toBe(`orch ${pkg.version} (${v.commit}, built ${v.date}; ${v.runtime}, ${v.platform})\n`);
  });
});
