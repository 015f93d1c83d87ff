/**
 * The gpt and gpt-batch plugins, end to end: the compiled orch drives the real Codex CLI
 * (from the npm registry, cached) against a fake OpenAI Responses API on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findProcesses } from "../../src/plugins/gpt/cleanup.ts";
import { ensureAgentCli, killAgentProcesses, orchAgentEnv } from "../helpers/agent-cli.ts";
import { defaultScript, type FakeModelApi, startFakeModelApi } from "../helpers/fake-model-api.ts";
import {
  OrchHarness,
  type StatusJson,
  type TaskJson,
  type TaskWithResult,
  waitFor,
} from "../helpers/orch-harness.ts";

let api: FakeModelApi;
let h: OrchHarness;
let project: string;
let configToml: string;
let agentHome: string;

beforeAll(async () => {
  const codex = await ensureAgentCli("codex");
  api = await startFakeModelApi();
  h = new OrchHarness("dist");
  project = h.project("app");
  const home = join(h.root, "agent-home");
  agentHome = home;
  // the user's own config: the fake provider, and no trust for the project (orch adds it)
  const a = orchAgentEnv("codex", { home, port: api.port, cli: codex });
  configToml = a.configFile!;
  Object.assign(h.env, a.env, {
    ORCH_WORKER_STARTUP_TIMEOUT: "60",
    // revives here are by hand (orch revive); the prompt automatic one is tested with the shell
    ORCH_REVIVE_DELAY: "3600",
    ORCH_APPROVAL_POLICY: "approve",
    ORCH_RATE_LIMIT_BACKOFF: "1",
  });
  await h.ok(["start"]);
  expect(
    (await h.ok(["add-worker", "--type", "gpt", "--project", project, "--name", "g1"], 90_000)).trim(),
  ).toBe("g1");
}, 600_000);

afterAll(async () => {
  await h?.cleanup();
  if (agentHome) await killAgentProcesses(agentHome); // e.g. codex's app-server, by pid
  await api?.stop();
}, 60_000);

async function status(): Promise<StatusJson> {
  return JSON.parse(await h.ok(["status", "--json"])) as StatusJson;
}

describe("gpt (Codex, interactive)", () => {
  test("a plain prompt runs to completion; the notify hook ends it", async () => {
    const r = await h.run(["send", "g1", "--wait", "--timeout", "60", "REPLY: hello codex"], 90_000);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("hello codex");
    const [t] = JSON.parse(await h.ok(["results", "--json", "--limit", "1"])) as TaskWithResult[];
    expect(t?.result?.sessionId).toBeTruthy();
  }, 120_000);

  test("config.toml keeps the user's provider; orch only appended the project's trust", () => {
    const toml = readFileSync(configToml, "utf8");
    expect(toml).toContain('model_provider = "fake"');
    expect(toml).toContain('[projects."/elsewhere"]');
    expect(toml).toContain(`[projects.${JSON.stringify(project)}]\ntrust_level = "trusted"`);
  });

  test("a command that needs approval is approved by policy and runs", async () => {
    const file = join(h.root, "outside-the-sandbox.txt");
    const r = await h.run(["send", "g1", "--wait", "--timeout", "60", `ESCALATE: touch ${file}`], 90_000);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toStartWith("DONE:");
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(join(h.home, "logs", "controller.log"), "utf8")).toContain(
      "permission prompt: approve by policy",
    );
  }, 120_000);

  test("a 5 KB multi-line prompt reaches the model API byte for byte", async () => {
    const lines = Array.from(
      { length: 80 },
      (_, i) => `line ${i}: 'single' "double" $VAR \`tick\` ; & | \\ ü 日本 🚀 ${"x".repeat(i % 17)}`,
    );
    const text = `REPLY: got it\n${lines.join("\n")}`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(5000);
    const r = await h.run(["send", "g1", "--wait", "--timeout", "60", "--", text], 90_000);
    expect(r.code).toBe(0);
    expect(api.lastUserText()).toBe(text);
  }, 120_000);

  test("a rate limit pauses the worker and the same prompt goes again; the task is not lost", async () => {
    let limited = 0;
    api.setScript((ctx) => {
      if (ctx.request.main && limited === 0) {
        limited++;
        return { kind: "error", status: 429, message: "Rate limit reached" };
      }
      return defaultScript(ctx);
    });
    try {
      const id = (await h.ok(["send", "g1", "--timeout", "90", "REPLY: after the limit"])).trim();
      await waitFor(
        "worker g1 rate limited",
        async () => (await status()).workers[0]?.state === "rate_limited",
        30_000,
      );
      const t = (await h.waitTask(id, 60_000)) as TaskWithResult;
      expect(t.status).toBe("succeeded");
      expect(t.output).toBe("after the limit");
      expect(t.attempts).toBe(2);
      expect((await status()).workers[0]?.state).toBe("idle");
    } finally {
      api.setScript(defaultScript);
    }
  }, 120_000);

  test("the agent killed mid-task: the task fails naming why", async () => {
    // tmux 3.3a sometimes reports no pane-died for it; then the timeout finds the pane dead
    const id = (await h.ok(["send", "g1", "--timeout", "10", "SLOW: 20000 REPLY: never"])).trim();
    await waitFor(
      "the task running",
      async () => (await h.api<TaskJson>("GET", `/v1/tasks/${id}`)).body.status === "running",
      30_000,
    );
    const pane = (await status()).workers[0]?.paneId ?? "";
    const pid = Number(h.tmux("display-message", "-p", "-t", pane, "#{pane_pid}").stdout.trim());
    expect(pid).toBeGreaterThan(1);
    // the agent and every process of it (an app-server it started may hold the pane's tty open)
    for (const p of findProcesses({ ORCH_HOME: h.home, ORCH_WORKER: "g1" }, "codex"))
      process.kill(p, "SIGKILL");
    process.kill(pid, "SIGKILL");
    const t = await h.waitTask(id, 30_000);
    expect(t.status).toBe("failed");
    // tmux names the signal once it has reaped the agent; for Codex's pane it sometimes has not
    // a second later (then the reason has no status), so either form is the death's reason
    expect(t.error).toMatch(
      /^agent (killed by signal 9 \(SIGKILL\)|exited with status \?) before the task finished$/,
    );
  }, 120_000);

  test("kill-worker leaves no Codex process of the worker behind (the TUI, and any app-server it started)", async () => {
    await h.ok(["revive", "g1"], 90_000);
    const r = await h.run(["send", "g1", "--wait", "--timeout", "60", "REPLY: alive"], 90_000);
    expect(r.stdout.trim()).toBe("alive");
    const left = () => findProcesses({ ORCH_HOME: h.home, ORCH_WORKER: "g1" }, "codex");
    expect(left().length).toBeGreaterThan(0); // the check can see them
    await h.ok(["kill-worker", "g1"]);
    await waitFor("no codex process of g1", () => left().length === 0, 15_000);
  }, 180_000);
});

describe("gpt-batch", () => {
  test("codex exec --json per task: the last agent message is the output, with tokens and thread", async () => {
    expect(
      (
        await h.ok(["add-worker", "--type", "gpt-batch", "--project", project, "--name", "gb1"], 60_000)
      ).trim(),
    ).toBe("gb1");
    const r = await h.run(["send", "gb1", "--wait", "--timeout", "90", "REPLY: from codex exec"], 120_000);
    if (r.code !== 0) console.error(await h.ok(["results", "--json", "--worker", "gb1"]));
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("from codex exec");
    const [t] = JSON.parse(await h.ok(["results", "--json", "--worker", "gb1"])) as TaskWithResult[];
    expect(t?.result?.exitReason).toBe("turn.completed");
    expect(t?.result?.sessionId).toBeTruthy();
    expect(t?.result?.tokens?.output).toBeGreaterThan(0);
  }, 180_000);
});
