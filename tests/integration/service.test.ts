import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fields, NotifyListener } from "../helpers/notify-listener.ts";
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
      // systemd waits for READY=1 and restarts a controller that stops pinging
      expect(unit).toContain("Type=notify");
      expect(unit).toContain("NotifyAccess=main");
      expect(unit).toContain("WatchdogSec=30s");
      expect(unit).toContain(scope === "user" ? "WantedBy=default.target" : "WantedBy=multi-user.target");
      const file = join(orch.root, `orch-${scope}.service`);
      writeFileSync(file, unit);
      expect(verify(file)).toEqual({ code: 0, said: "" });
    });
  }

  test("--run-as another user: a PATH of the system's folders and theirs, none of the installer's", async () => {
    // "nobody" is in every Debian passwd (home /nonexistent)
    const installer = "/root/.bun/bin:/home/someone/bin:/opt/installer-only/bin:/usr/bin:/bin";
    const r = await orch.run(["service", "install", "--print", "--run-as", "nobody"], 30_000, {
      PATH: installer,
    });
    expect(r.code).toBe(0);
    const path = r.stdout.match(/^Environment=PATH=(.*)$/m)?.[1] ?? "";
    const system = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    expect(path.startsWith(`/nonexistent/.local/bin:${system}`)).toBe(true);
    const orchDir = dirname(orch.command()[0] ?? "");
    const foreign = (d: string) => /^\/(root|home)(\/|$)/.test(d);
    // orch's own folder is added unless it lies in someone's home (then stderr warns)
    expect(path).toBe(`/nonexistent/.local/bin:${system}${foreign(orchDir) ? "" : `:${orchDir}`}`);
    if (foreign(orchDir)) expect(r.stderr).toContain("in another user's home");
    else expect(r.stderr).toBe("");
    expect(r.stdout).toContain("User=nobody");
  });

  test("--path sets the service's PATH as given; a relative entry is a usage error", async () => {
    const unit = await orch.ok([
      "service",
      "install",
      "--print",
      "--user",
      "--path",
      "/opt/agents/bin:/usr/bin:/bin",
    ]);
    expect(unit).toContain("Environment=PATH=/opt/agents/bin:/usr/bin:/bin\n");
    const r = await orch.run(["service", "install", "--print", "--user", "--path", "bin:/usr/bin"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--path entry "bin": expected an absolute folder');
  });

  test("--user writes the unit under XDG_CONFIG_HOME and says what to run next", async () => {
    const config = join(orch.root, "config");
    const r = await orch.run(["service", "install", "--user"], 30_000, { XDG_CONFIG_HOME: config });
    expect(r.code).toBe(0);
    const file = join(config, "systemd", "user", "orch.service");
    expect(r.stdout).toContain(`wrote ${file}`);
    expect(r.stdout).toContain("systemctl --user daemon-reload");
    expect(readFileSync(file, "utf8")).toContain("[Service]");
  });

  test("under Type=notify the daemon says READY=1, pings WATCHDOG=1 and says STOPPING=1 (compiled binary)", async () => {
    const daemonHome = new OrchHarness("dist");
    const listener = await NotifyListener.start(join(daemonHome.root, "notify.sock"));
    const env = daemonHome.childEnv({
      NOTIFY_SOCKET: listener.address,
      // a ping every 100 ms
      WATCHDOG_USEC: "400000",
    });
    const daemon = Bun.spawn([...daemonHome.command(), "daemon"], { env, stdout: "ignore", stderr: "pipe" });
    try {
      const ready = await listener.waitFor("READY=1", (m) => fields(m).READY === "1", 0, 30_000);
      // READY=1 goes out only once the API answers: it carries the workers' STATUS
      expect(fields(listener.messages[ready] ?? "").STATUS).toBe("no workers");
      expect((await daemonHome.api("GET", "/v1/status")).status).toBe(200);
      let from = ready + 1;
      for (let i = 0; i < 3; i++)
        from = (await listener.waitFor("WATCHDOG=1", (m) => fields(m).WATCHDOG === "1", from)) + 1;
      // the agents do not inherit systemd's variables (NotifyAccess=main ignores them anyway)
      await daemonHome.ok([
        "add-worker",
        "--type",
        "shell",
        "--project",
        daemonHome.project("p"),
        "--name",
        "w1",
      ]);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's ${VAR-unset}, sent as text
      const echo = 'echo "ns=${NOTIFY_SOCKET-unset} wd=${WATCHDOG_USEC-unset}"';
      const task = await daemonHome.sendWait("w1", echo);
      expect(task.output?.trim()).toBe("ns=unset wd=unset");
      // the STATUS follows the workers
      await listener.waitFor(
        "a STATUS with the worker",
        (m) => fields(m).STATUS === "1 worker: 1 idle",
        ready,
      );
      await daemonHome.ok(["stop"]);
      await listener.waitFor("STOPPING=1", (m) => fields(m).STOPPING === "1", ready);
      expect(await daemon.exited).toBe(0);
      expect(listener.messages.filter((m) => fields(m).READY === "1")).toHaveLength(1);
    } finally {
      daemon.kill("SIGKILL");
      await listener.stop();
      await daemonHome.cleanup();
    }
  }, 90_000);

  test("an unknown action is a usage error", async () => {
    const r = await orch.run(["service", "uninstall"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected "install"');
  });
});
