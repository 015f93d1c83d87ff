/**
 * `orch doctor` through the compiled binary: all found with a running controller (exit 0); tmux
 * missing or too old, a home others can read, a damaged store: each MISSING with its fix (exit 1).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DoctorCheck } from "../../src/core/app/doctor/checks.ts";
import { OrchHarness } from "../helpers/orch-harness.ts";

interface DoctorJson {
  ok: boolean;
  checks: DoctorCheck[];
}

const which = (p: string) => Bun.which(p) ?? "";

/** A PATH of one directory holding perl and ssh, and a `tmux` that prints `tmuxSays` (none: no tmux). */
function pathWith(root: string, tmuxSays: string | null): string {
  const bin = join(root, `bin-${tmuxSays === null ? "none" : tmuxSays.replace(/\W/g, "")}`);
  mkdirSync(bin, { recursive: true });
  for (const p of ["perl", "ssh"]) symlinkSync(which(p), join(bin, p));
  if (tmuxSays !== null) writeFileSync(join(bin, "tmux"), `#!/bin/sh\necho '${tmuxSays}'\n`, { mode: 0o755 });
  return bin;
}

describe("orch doctor (compiled binary)", () => {
  const orch = new OrchHarness("dist");
  beforeAll(() => orch.ok(["start"]), 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  const check = (r: DoctorJson, name: string) => r.checks.find((c) => c.name === name);

  test("with what it needs and a running controller: exit 0, each check named", async () => {
    const r = await orch.run(["doctor", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as DoctorJson;
    expect(j.ok).toBe(true);
    expect(check(j, "tmux")?.status).toBe("ok");
    expect(check(j, "perl")?.status).toBe("ok");
    expect(check(j, "orch home")?.status).toBe("ok");
    expect(check(j, "store")?.detail).toContain("passes quick_check");
    expect(check(j, "controller")?.detail).toBe(
      `running, pid ${orch.controllerPid()}, orch ${(await orch.json<{ controller: { version: string } }>(["status"])).controller.version}`,
    );
    for (const a of ["claude", "codex", "gemini", "opencode"])
      expect(check(j, `agent ${a}`)?.status).toBe("info");
    const table = await orch.run(["doctor"]);
    expect(table.stdout).toContain("orch has what it needs here");
  });

  test("tmux too old, or not there: MISSING with how to install it, exit 1", async () => {
    const old = await orch.run(["doctor"], 30_000, { PATH: pathWith(orch.root, "tmux 3.1c") });
    expect(old.code).toBe(1);
    expect(old.stdout).toContain(
      "MISSING  tmux            tmux 3.1c is too old: orch needs tmux 3.2 or newer",
    );
    expect(old.stdout).toContain("fix: install tmux 3.2 or newer");
    expect(old.stdout).toContain("something orch needs is missing");
    const none = await orch.run(["doctor", "--json"], 30_000, { PATH: pathWith(orch.root, null) });
    expect(none.code).toBe(1);
    const j = JSON.parse(none.stdout) as DoctorJson;
    expect(check(j, "tmux")).toMatchObject({ status: "missing", detail: "tmux not found on PATH" });
    expect(check(j, "perl")?.status).toBe("ok");
    const dev = await orch.run(["doctor", "--json"], 30_000, { PATH: pathWith(orch.root, "tmux next-3.5") });
    expect(check(JSON.parse(dev.stdout) as DoctorJson, "tmux")?.status).toBe("ok");
  });

  test("a home others can read: MISSING with the chmod that fixes it", async () => {
    chmodSync(orch.home, 0o755);
    try {
      const r = await orch.run(["doctor", "--json"]);
      expect(r.code).toBe(1);
      expect(check(JSON.parse(r.stdout) as DoctorJson, "orch home")).toMatchObject({
        status: "missing",
        fix: `chmod 700 ${orch.home}`,
      });
    } finally {
      chmodSync(orch.home, 0o700);
    }
  });

  test("a damaged store: MISSING, naming the file and orch restore", async () => {
    const other = new OrchHarness("dist");
    try {
      mkdirSync(other.home, { recursive: true, mode: 0o700 });
      writeFileSync(join(other.home, "orch.db"), "this is not a database, not even its header".repeat(100));
      const r = await other.run(["doctor", "--json"]);
      expect(r.code).toBe(1);
      const store = check(JSON.parse(r.stdout) as DoctorJson, "store");
      expect(store?.status).toBe("missing");
      expect(store?.detail).toContain(join(other.home, "orch.db"));
      expect(store?.fix).toContain("orch restore");
    } finally {
      await other.cleanup();
    }
  });
});
