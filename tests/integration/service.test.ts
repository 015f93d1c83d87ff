import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OrchHarness } from "../helpers/orch-harness.ts";

/** `systemd-analyze verify FILE`: its exit code and everything it printed (any warning fails). */
function verify(file: string): { code: number; said: string } {
  const which = Bun.spawnSync(["sh", "-c", "command -v systemd-analyze"]);
  if (which.exitCode !== 0) {
    throw new Error("systemd-analyze is missing: install Debian's systemd package (.ci/run does)");
  }
  const r = Bun.spawnSync(["systemd-analyze", "verify", file], { stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode ?? -1, said: (r.stdout.toString() + r.stderr.toString()).trim() };
}

describe("orch service install (compiled binary)", () => {
  const orch = new OrchHarness("dist", { XDG_CONFIG_HOME: "" });
  afterAll(() => orch.cleanup(), 30_000);

  for (const scope of ["system", "user"] as const) {
    test(`the ${scope} unit verifies clean with systemd-analyze`, async () => {
      const unit = await orch.ok(["service", "install", "--print", ...(scope === "user" ? ["--user"] : [])]);
      expect(unit).toContain(`ExecStart=${orch.command()[0]} daemon`);
      expect(unit).toContain(`Environment=ORCH_HOME=${orch.home}`);
      expect(unit).toContain("Restart=on-failure");
      expect(unit).toContain("StartLimitBurst=");
      expect(unit).toContain("KillMode=process");
      expect(unit).toContain(scope === "user" ? "WantedBy=default.target" : "WantedBy=multi-user.target");
      const file = join(orch.root, `orch-${scope}.service`);
      writeFileSync(file, unit);
      expect(verify(file)).toEqual({ code: 0, said: "" });
    });
  }

  test("--user writes the unit under XDG_CONFIG_HOME and says what to run next", async () => {
    const config = join(orch.root, "config");
    const r = await orch.run(["service", "install", "--user"], 30_000, { XDG_CONFIG_HOME: config });
    expect(r.code).toBe(0);
    const file = join(config, "systemd", "user", "orch.service");
    expect(r.stdout).toContain(`wrote ${file}`);
    expect(r.stdout).toContain("systemctl --user daemon-reload");
    expect(readFileSync(file, "utf8")).toContain("[Service]");
  });

  test("an unknown action is a usage error", async () => {
    const r = await orch.run(["service", "uninstall"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected "install"');
  });
});
