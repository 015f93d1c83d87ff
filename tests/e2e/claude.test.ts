/**
 * The claude and claude-batch plugins, end to end: the compiled orch drives the real Claude
 * Code (from the npm registry, cached) against a fake Anthropic API on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureAgentCli, killAgentProcesses, orchAgentEnv } from "../helpers/agent-cli.ts";
import { type FakeModelApi, startFakeModelApi } from "../helpers/fake-model-api.ts";
import {
  OrchHarness,
  type StatusJson,
  type TaskJson,
  type TaskWithResult,
  waitFor,
} from "../helpers/orch-harness.ts";
import { rng as seeded } from "../helpers/rng.ts";

let api: FakeModelApi;
let h: OrchHarness;
let project: string;
let agentHome: string;

beforeAll(async () => {
  const claude = await ensureAgentCli("claude");
  api = await startFakeModelApi();
  h = new OrchHarness("dist");
  agentHome = join(h.root, "agent-home");
  mkdirSync(join(agentHome, "tmp"), { recursive: true });
  // the user's own config: orch must add to it, never overwrite it
  writeFileSync(
    join(agentHome, ".claude.json"),
    JSON.stringify({ userSetting: "keep-me", projects: { "/elsewhere": { allowedTools: ["Read"] } } }),
  );
  Object.assign(h.env, orchAgentEnv("claude", { home: agentHome, port: api.port, cli: claude }).env, {
    ORCH_WORKER_STARTUP_TIMEOUT: "60",
    // revives here are by hand (orch revive); the prompt automatic one is tested with the shell
    ORCH_REVIVE_DELAY: "3600",
    ORCH_APPROVAL_POLICY: "approve",
  });
  project = h.project("app");
  await h.ok(["start"]);
  expect(
    (await h.ok(["add-worker", "--type", "claude", "--project", project, "--name", "c1"], 90_000)).trim(),
  ).toBe("c1");
}, 600_000);

afterAll(async () => {
  await h?.cleanup();
  if (agentHome) await killAgentProcesses(agentHome); // what the agents left behind, by pid
  await api?.stop();
}, 60_000);

/**
 * The prompt as the user pasted it: Claude Code 2.1.332 hands a long paste to the model inside
 * `<pasted_content id="X">` ... `</pasted_content id="X">` lines (2.1.197 sent it as is).
 */
function unwrapPaste(text: string | null): string | null {
  const m = /^\s*<pasted_content id="([^"]+)">\n([\s\S]*)\n<\/pasted_content id="\1">\s*$/.exec(text ?? "");
  return m ? m[2]! : text;
}

async function status(): Promise<StatusJson> {
  return JSON.parse(await h.ok(["status", "--json"])) as StatusJson;
}

describe("claude (interactive)", () => {
  test("a plain prompt runs to completion; the answer and the session are the task's result", async () => {
    const r = await h.run(["send", "c1", "--wait", "--timeout", "60", "REPLY: hello from the fake"], 90_000);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("hello from the fake");
    const [t] = JSON.parse(await h.ok(["results", "--json", "--limit", "1"])) as TaskWithResult[];
    expect(t?.status).toBe("succeeded");
    expect(t?.result?.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await status()).workers[0]?.state).toBe("idle");
  }, 120_000);

  test("the user's ~/.claude.json keeps what it had; orch only added the project's trust", () => {
    const j = JSON.parse(readFileSync(join(agentHome, ".claude.json"), "utf8"));
    expect(j.userSetting).toBe("keep-me");
    expect(j.projects["/elsewhere"].allowedTools).toEqual(["Read"]);
    expect(j.projects[project].hasTrustDialogAccepted).toBe(true);
  });

  test("a tool call hits the permission prompt, the policy approves it, the command runs", async () => {
    const r = await h.run(
      ["send", "c1", "--wait", "--timeout", "60", "RUN: touch made-by-agent.txt"],
      90_000,
    );
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toStartWith("DONE:");
    expect(existsSync(join(project, "made-by-agent.txt"))).toBe(true);
    const log = readFileSync(join(h.home, "logs", "controller.log"), "utf8");
    expect(log).toContain("permission prompt: approve by policy");
  }, 120_000);

  test("a 5 KB multi-line prompt reaches the model API byte for byte", async () => {
    const rng = seeded(7);
    const alphabet =
      "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 'quotes\" $HOME `x` !bang #{tmux} ; & | < > \\ ü 日本 🚀";
    const lines: string[] = [];
    let size = 0;
    while (size < 5000) {
      const n = 20 + Math.floor(rng() * 70);
      let line = "";
      for (let i = 0; i < n; i++) line += [...alphabet][Math.floor(rng() * [...alphabet].length)];
      line = line.trim() || "x";
      lines.push(line);
      size += Buffer.byteLength(line) + 1;
    }
    const text = `REPLY: got it\n${lines.join("\n")}`;
    const r = await h.run(["send", "c1", "--wait", "--timeout", "60", "--", text], 90_000);
    expect(r.code).toBe(0);
    expect(unwrapPaste(api.lastUserText())).toBe(text);
  }, 120_000);

  test("text that could end the paste is refused with a clear error, and the worker goes on", async () => {
    const r = await h.run(["send", "c1", "--wait", "--", "evil\x1b[201~ typed keys"], 30_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("control character U+001B");
    const ok = await h.run(["send", "c1", "--wait", "--timeout", "60", "REPLY: still fine"], 90_000);
    expect(ok.stdout.trim()).toBe("still fine");
  }, 120_000);

  test("a permission prompt under policy ask waits for a human: status shows waiting_input, approve answers it", async () => {
    // a new controller with another policy adopts the running agent
    await h.ok(["stop"]);
    const started = await h.run(["start"], 30_000, { ORCH_APPROVAL_POLICY: "ask" });
    expect(started.code).toBe(0);
    const id = (await h.ok(["send", "c1", "RUN: touch asked-first.txt"])).trim();
    await waitFor(
      "worker c1 waiting for input",
      async () => (await status()).workers[0]?.state === "waiting_input",
      60_000,
    );
    expect(existsSync(join(project, "asked-first.txt"))).toBe(false);
    expect(await h.ok(["approve", "c1"])).toContain("approved");
    const t = await h.waitTask(id, 60_000);
    expect(t.status).toBe("succeeded");
    expect(existsSync(join(project, "asked-first.txt"))).toBe(true);
  }, 180_000);

  test("the agent killed mid-task: the task fails naming why, revive brings the worker back", async () => {
    const id = (await h.ok(["send", "c1", "SLOW: 20000 REPLY: never"])).trim();
    await waitFor(
      "the task running",
      async () => (await h.api<TaskJson>("GET", `/v1/tasks/${id}`)).body.status === "running",
      30_000,
    );
    const pid = Number(h.tmux("display-message", "-p", "-t", "%1", "#{pane_pid}").stdout.trim());
    expect(pid).toBeGreaterThan(1);
    process.kill(pid, "SIGKILL");
    const t = await h.waitTask(id, 30_000);
    expect(t.status).toBe("failed");
    // tmux names the signal once it has reaped the agent; an agent whose children keep its
    // terminal open is sometimes told dead before that (then the reason has no status)
    expect(t.error).toMatch(
      /^agent (killed by signal 9 \(SIGKILL\)|exited with status \?) before the task finished$/,
    );
    expect((await status()).workers[0]?.state).toBe("dead");
    await h.ok(["revive", "c1"], 90_000);
    const r = await h.run(["send", "c1", "--wait", "--timeout", "60", "REPLY: back again"], 90_000);
    expect(r.stdout.trim()).toBe("back again");
  }, 180_000);
});

describe("claude-batch", () => {
  test("claude -p per task: the JSON result becomes output, cost, tokens and session", async () => {
    expect(
      (
        await h.ok(["add-worker", "--type", "claude-batch", "--project", project, "--name", "b1"], 60_000)
      ).trim(),
    ).toBe("b1");
    const r = await h.run(["send", "b1", "--wait", "--timeout", "90", "REPLY: from batch mode"], 120_000);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("from batch mode");
    const [t] = JSON.parse(await h.ok(["results", "--json", "--worker", "b1"])) as TaskWithResult[];
    expect(t?.status).toBe("succeeded");
    expect(t?.result?.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof t?.result?.costUsd).toBe("number");
    expect(t?.result?.tokens?.output).toBeGreaterThan(0);
  }, 180_000);
});
