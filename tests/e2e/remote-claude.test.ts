/**
 * Claude Code on a host reached over OpenSSH, through the compiled binary: the real Claude
 * Code CLI (from the npm registry, cached) runs in the test host's tmux (its own network
 * namespace), talks to the fake model API only through an ssh forwarding onto the host's own
 * loopback, and its hooks reach the controller through orch's helper on the host and the Unix
 * socket orch forwards over its own ssh connection: SessionStart makes the worker ready, Stop
 * ends the task with the answer and the session.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HOOK_HELPER } from "../../src/core/hosts/hook-helper.ts";
import {
  claudeOfflineEnv,
  ensureAgentCli,
  FAKE_ANTHROPIC_KEY,
  killAgentProcesses,
} from "../helpers/agent-cli.ts";
import { type FakeModelApi, startFakeModelApi } from "../helpers/fake-model-api.ts";
import { OrchHarness, type TaskWithResult, waitFor } from "../helpers/orch-harness.ts";
import { orchWithHosts } from "../helpers/orch-hosts.ts";
import { freePort, type SshHosts } from "../helpers/ssh-hosts.ts";

describe("Claude Code on a host over ssh (compiled binary, real sshd, real Claude Code)", () => {
  const orch = new OrchHarness("dist", {
    ORCH_WORKER_STARTUP_TIMEOUT: "90",
    ORCH_REVIVE_DELAY: "3600",
    ORCH_APPROVAL_POLICY: "approve",
    // what orch's seed of ~/.claude.json approves (the key itself is the host's)
    ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
  });
  const project = join(orch.root, "remote app");
  let api: FakeModelApi;
  let hosts: SshHosts;
  let hostHome = "";
  let stop: () => Promise<void> = async () => undefined;
  let forward: ReturnType<typeof spawn> | null = null;

  beforeAll(async () => {
    orch.env.ORCH_CLAUDE_COMMAND = await ensureAgentCli("claude");
    api = await startFakeModelApi();
    // the model API on the host's own loopback, at a port the test's own ssh forwards here
    const port = await freePort();
    mkdirSync(project, { recursive: true });
    ({ hosts, stop } = await orchWithHosts(orch, [
      { name: "c", env: { ...claudeOfflineEnv(port), TMPDIR: "/tmp" } },
    ]));
    hostHome = join(hosts.hosts.get("c")!.dir, "home");
    // the user's own config on the host: orch must add to it there, never replace it
    writeFileSync(
      join(hostHome, ".claude.json"),
      JSON.stringify({ userSetting: "keep-me", projects: { "/elsewhere": { allowedTools: ["Read"] } } }),
    );
    forward = spawn(
      "ssh",
      [
        "-F",
        hosts.configFile,
        "-N",
        "-o",
        "ExitOnForwardFailure=yes",
        "-R",
        `127.0.0.1:${port}:127.0.0.1:${api.port}`,
        "c",
      ],
      { stdio: "ignore" },
    );
    await waitFor(
      "the model API forwarded onto the host's loopback",
      async () => hosts.ssh("c", `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}'`).status === 0,
      30_000,
    );
    const added = await orch.run(
      ["add-worker", "--type", "claude", "--host", "c", "--project", project, "--name", "rc"],
      150_000,
    );
    expect(added.stderr).toBe("");
    expect(added.stdout.trim()).toBe("rc");
  }, 400_000);

  afterAll(async () => {
    await stop();
    if (forward?.pid) forward.kill("SIGKILL");
    if (hostHome) await killAgentProcesses(hostHome);
    await api?.stop();
  }, 60_000);

  test("a prompt runs to completion on the host; its Stop hook brings the answer and the session", async () => {
    const r = await orch.run(
      ["send", "rc", "--wait", "--timeout", "90", "REPLY: hello from the host"],
      120_000,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("hello from the host");
    const [t] = await orch.json<Array<TaskWithResult & { host: string }>>([
      "results",
      "--json",
      "--limit",
      "1",
    ]);
    expect(t?.status).toBe("succeeded");
    expect(t?.host).toBe("c");
    // the session id comes only in the Stop hook's payload: the hook reached the controller
    expect(t?.result?.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const log = readFileSync(join(orch.home, "logs", "controller.log"), "utf8");
    expect(log).not.toContain("cannot reach the controller");
  }, 150_000);

  test("the hooks run orch's helper on the host, put there checksum-verified; no orch binary is needed there", () => {
    const base = join(hostHome, ".orch-host");
    const [dir] = readdirSync(base);
    const helper = readFileSync(join(base, dir!, "hook.pl"), "utf8");
    expect(createHash("sha256").update(helper).digest("hex")).toBe(
      createHash("sha256").update(HOOK_HELPER).digest("hex"),
    );
    const settings = JSON.parse(
      readFileSync(join(base, dir!, "workers", "rc", "claude-settings.json"), "utf8"),
    ) as {
      hooks: Record<string, Array<{ hooks: Array<{ command: string }> }>>;
    };
    expect(settings.hooks.Stop?.[0]?.hooks[0]?.command).toBe(
      `'perl' '${join(base, dir!, "hook.pl")}' 'rc' 'Stop'`,
    );
  });

  test("the user's ~/.claude.json on the host keeps what it had; orch only added the project's trust", () => {
    const j = JSON.parse(readFileSync(join(hostHome, ".claude.json"), "utf8"));
    expect(j.userSetting).toBe("keep-me");
    expect(j.projects["/elsewhere"].allowedTools).toEqual(["Read"]);
    expect(j.projects[project].hasTrustDialogAccepted).toBe(true);
  });

  test("the host's channel lost and back: the hook socket is forwarded again and the next task ends by its hook", async () => {
    // the channel's ssh master killed (by the pid ssh gives for it): orch makes a new one
    const check = spawnSync(
      "ssh",
      ["-F", hosts.configFile, "-o", `ControlPath=${join(orch.home, "ssh", "c")}`, "-O", "check", "c"],
      {
        encoding: "utf8",
      },
    );
    const pid = Number(/pid=(\d+)/.exec(check.stderr)?.[1]);
    expect(pid).toBeGreaterThan(1);
    const log = join(orch.home, "logs", "controller.log");
    const ups = () => readFileSync(log, "utf8").split("host online").length;
    const before = ups();
    process.kill(pid, "SIGKILL");
    await waitFor("host c connected again", async () => ups() > before, 60_000);
    const r = await orch.run(["send", "rc", "--wait", "--timeout", "90", "REPLY: again"], 120_000);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("again");
    const [t] = await orch.json<TaskWithResult[]>(["results", "--json", "--limit", "1"]);
    expect(t?.result?.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  }, 180_000);
});
