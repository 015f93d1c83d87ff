/**
 * Isolation and least privilege through the compiled binary: orch's state must be reachable by
 * its owner only (checked at start), root is refused unless allowed, and an agent's
 * permission-skipping flag needs the user's `skipPermissions`.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OrchHarness } from "../helpers/orch-harness.ts";

const isRoot = process.getuid?.() === 0;
const harnesses: OrchHarness[] = [];
afterAll(async () => {
  for (const h of harnesses) await h.cleanup();
}, 60_000);

function harness(): OrchHarness {
  const h = new OrchHarness("dist");
  harnesses.push(h);
  return h;
}

/** An ORCH_HOME as an earlier run of orch left it, private. */
function privateHome(h: OrchHarness): void {
  for (const d of [h.home, join(h.home, "logs"), join(h.home, "run")]) mkdirSync(d, { mode: 0o700 });
}

describe("orch start refuses state that others can reach", () => {
  test("a logs folder of mode 0755: exit 3, one line naming it, its mode and the fix", async () => {
    const h = harness();
    privateHome(h);
    const logs = join(h.home, "logs");
    chmodSync(logs, 0o755);
    const r = await h.run(["start"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`orch: ${logs} is mode 0755: expected 0700 (only you); run chmod 700 ${logs}\n`);
    // refused before anything was opened or started
    expect(existsSync(join(h.home, "run", "daemon.out"))).toBe(false);
    expect(existsSync(join(h.home, "orch.sock"))).toBe(false);
    chmodSync(logs, 0o700);
    expect((await h.run(["start"])).code).toBe(0);
  }, 60_000);

  test("a store file of mode 0644 is refused; `orch daemon` (systemd) refuses it too", async () => {
    const h = harness();
    privateHome(h);
    const db = join(h.home, "orch.db");
    writeFileSync(db, "");
    chmodSync(db, 0o644);
    const want = `orch: ${db} is mode 0644: expected 0600 (only you); run chmod 600 ${db}\n`;
    const r = await h.run(["start"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 3, stderr: want });
    const d = await h.run(["daemon"]);
    expect(d.code).toBe(3);
    expect(d.stderr).toBe(want);
  }, 60_000);

  test("an ORCH_HOME others can enter is refused", async () => {
    const h = harness();
    privateHome(h);
    chmodSync(h.home, 0o711);
    const r = await h.run(["start"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toStartWith(`orch: ${h.home} is mode 0711: expected 0700 (only you)`);
  }, 60_000);
});

describe.skipIf(!isRoot)("root (this suite runs as root here)", () => {
  const refusal =
    "orch: refusing to run as root: agents would get root's rights; run as a normal user, or set allowRoot: true (ORCH_ALLOW_ROOT=1) if you mean it (in a container, IS_SANDBOX=1)\n";

  test("on a host (IS_SANDBOX=0), start and daemon refuse root unless ORCH_ALLOW_ROOT=1 or allowRoot: true", async () => {
    const h = harness();
    const no = { ORCH_ALLOW_ROOT: "0", IS_SANDBOX: "0" };
    const r = await h.run(["start"], 60_000, no);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 3, stderr: refusal });
    expect(existsSync(h.home)).toBe(false);
    const d = await h.run(["daemon"], 60_000, no);
    expect({ code: d.code, stderr: d.stderr }).toEqual({ code: 3, stderr: refusal });
    // the config file says so
    privateHome(h);
    writeFileSync(join(h.home, "config.yaml"), "allowRoot: true\n", { mode: 0o600 });
    const ok = await h.run(["start"], 60_000, { ORCH_ALLOW_ROOT: "", IS_SANDBOX: "0" });
    expect(ok.code).toBe(0);
  }, 60_000);

  test("in a container (IS_SANDBOX=1) root starts without allowRoot, as the CLI contract's start expects, and the log says why", async () => {
    const h = harness();
    const r = await h.run(["start"], 60_000, { ORCH_ALLOW_ROOT: "", IS_SANDBOX: "1" });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(readFileSync(join(h.home, "logs", "controller.log"), "utf8")).toContain(
      "running as root, allowed because this is a container",
    );
    await h.run(["stop", "--kill-workers"]);
  }, 60_000);

  test("service install as root: no silent User=root", async () => {
    const h = harness();
    const r = await h.run(["service", "install", "--print"], 30_000, { ORCH_ALLOW_ROOT: "0", SUDO_USER: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("a system unit that runs orch as root is refused");
    expect(r.stderr).toContain("--run-as NAME");
    const sudo = await h.run(["service", "install", "--print"], 30_000, {
      ORCH_ALLOW_ROOT: "0",
      SUDO_USER: "nobody",
    });
    expect(sudo.code).toBe(0);
    expect(sudo.stdout).toContain("User=nobody\n");
    expect(sudo.stdout).not.toContain("ORCH_ALLOW_ROOT");
    // another user's default ORCH_HOME is theirs, not root's
    const other = await h.run(["service", "install", "--print", "--run-as", "nobody"], 30_000, {
      ORCH_ALLOW_ROOT: "0",
      ORCH_HOME: "",
      XDG_STATE_HOME: "",
    });
    expect(other.code).toBe(0);
    const nobodyHome = Bun.spawnSync(["getent", "passwd", "nobody"]).stdout.toString().split(":")[5];
    expect(other.stdout).toContain(`Environment=ORCH_HOME=${nobodyHome}/.local/state/orch\n`);
    const allowed = await h.run(["service", "install", "--print"], 30_000, {
      ORCH_ALLOW_ROOT: "1",
      SUDO_USER: "",
    });
    expect(allowed.stdout).toContain("Environment=ORCH_ALLOW_ROOT=1\nUser=root\n");
  }, 60_000);
});

describe("permission-skipping flags need skipPermissions", () => {
  test("a user plugin whose command has --yolo starts only when ORCH_SKIP_PERMISSIONS names it", async () => {
    const h = harness();
    const project = h.project("p");
    await h.ok(["start"]);
    const f = join(h.root, "yolo.json");
    writeFileSync(
      f,
      JSON.stringify({
        name: "yolo-agent",
        description: "a shell started with a permission-skipping flag",
        version: "1.0.0",
        command: ["bash", "--norc", "--noprofile", "-c", "exec bash --norc --noprofile -i", "--yolo"],
        // a non-interactive bash drops PS1: the inner one shows its default prompt
        ready: "[$#] $",
        detect: "marker",
      }),
    );
    await h.ok(["plugin", "add", f]);
    const r = await h.run(["add-worker", "--type", "yolo-agent", "--project", project, "--name", "y1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'orch: worker "y1": agent type "yolo-agent" asks for --yolo, which skips the agent\'s permission checks; allowed only with skipPermissions: ["yolo-agent"] in the config\n',
    );
    await h.ok(["kill-worker", "y1"]);
    // the controller reads the config when it starts
    await h.ok(["stop"]);
    const started = await h.run(["start"], 60_000, { ORCH_SKIP_PERMISSIONS: "yolo-agent" });
    expect(started.code).toBe(0);
    expect(
      (await h.ok(["add-worker", "--type", "yolo-agent", "--project", project, "--name", "y2"])).trim(),
    ).toBe("y2");
    const out = await h.run(["send", "y2", "--wait", "echo still $((6*7))"]);
    expect(out.stdout).toBe("still 42\n");
  }, 90_000);

  test("claude-batch with the flag in ORCH_CLAUDE_BATCH_ARGS is refused at add-worker", async () => {
    const h = harness();
    const project = h.project("p");
    const started = await h.run(["start"], 60_000, {
      ORCH_CLAUDE_BATCH_ARGS: "--dangerously-skip-permissions",
    });
    expect(started.code).toBe(0);
    const r = await h.run(["add-worker", "--type", "claude-batch", "--project", project, "--name", "b1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'orch: worker "b1": agent type "claude-batch" asks for --dangerously-skip-permissions, which skips the agent\'s permission checks; allowed only with skipPermissions: ["claude-batch"] in the config\n',
    );
  }, 90_000);
});
