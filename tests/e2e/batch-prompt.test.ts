/**
 * The batch agent types keep the prompt out of every process's command line: the compiled orch
 * runs the real `claude -p` and `codex exec` (from the npm registry, cached) against a fake
 * model API on 127.0.0.1, and while a task runs, every /proc/PID/cmdline is read again and again.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureAgentCli, killAgentProcesses, orchAgentEnv } from "../helpers/agent-cli.ts";
import { type FakeModelApi, startFakeModelApi } from "../helpers/fake-model-api.ts";
import { OrchHarness, type TaskWithResult } from "../helpers/orch-harness.ts";

let api: FakeModelApi;
let h: OrchHarness;
let project: string;
let agentHome: string;
const cli: Record<"claude" | "codex", string> = { claude: "", codex: "" };

beforeAll(async () => {
  cli.claude = await ensureAgentCli("claude");
  cli.codex = await ensureAgentCli("codex");
  api = await startFakeModelApi();
  h = new OrchHarness("dist");
  agentHome = join(h.root, "agent-home");
  const claude = orchAgentEnv("claude", { home: agentHome, port: api.port, cli: cli.claude });
  const codex = orchAgentEnv("codex", { home: agentHome, port: api.port, cli: cli.codex });
  Object.assign(h.env, claude.env, codex.env, { ORCH_WORKER_STARTUP_TIMEOUT: "60" });
  project = h.project("app");
  await h.ok(["start"]);
}, 600_000);

afterAll(async () => {
  await h?.cleanup();
  if (agentHome) await killAgentProcesses(agentHome);
  await api?.stop();
}, 60_000);

/** Every process's command line now (NULs as spaces), by pid. */
function commandLines(): Map<number, string> {
  const lines = new Map<number, string>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      lines.set(Number(name), readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\0", " "));
    } catch {
      // gone meanwhile
    }
  }
  return lines;
}

/**
 * Sends `prompt` to `worker` and, until the task is final, reads every command line over and
 * over: the ones that hold any of `secrets`, and whether the agent (`agentBin`) was seen running.
 */
async function runWatchingArgv(worker: string, prompt: string, secrets: string[], agentBin: string) {
  const id = (await h.ok(["send", worker, "--timeout", "90", "--", prompt])).trim();
  const leaks = new Set<string>();
  let sawAgent = 0;
  let task: TaskWithResult | null = null;
  const deadline = Date.now() + 100_000;
  while (Date.now() < deadline) {
    for (const [pid, line] of commandLines()) {
      if (pid === process.pid) continue;
      if (line.includes(agentBin)) sawAgent++;
      if (secrets.some((s) => line.includes(s))) leaks.add(`${pid}: ${line.slice(0, 300)}`);
    }
    task = (await h.api<TaskWithResult>("GET", `/v1/tasks/${id}`)).body;
    if (["succeeded", "failed", "cancelled", "timed_out"].includes(task.status)) break;
    await Bun.sleep(20);
  }
  return { task, leaks: [...leaks], sawAgent };
}

describe("batch agents: the prompt is never in a command line", () => {
  for (const [type, bin, name] of [
    ["claude-batch", "claude", "b1"],
    ["gpt-batch", "codex", "gb1"],
  ] as const) {
    test(`${type}: no process's argv holds the prompt while the task runs; the result is whole`, async () => {
      expect(
        (await h.ok(["add-worker", "--type", type, "--project", project, "--name", name], 90_000)).trim(),
      ).toBe(name);
      const secret = `argv-secret-${randomUUID()}`;
      const second = `second line 'q' "dq" $HOME \`tick\` ; | ü 日本 ${randomUUID()}`;
      // the fake model answers 3 s late: the agent runs that long at least
      const prompt = `SLOW: 3000 REPLY: ${secret}\n${second}`;
      const r = await runWatchingArgv(name, prompt, [secret, second, "SLOW: 3000"], cli[bin]);
      expect(r.sawAgent).toBeGreaterThan(0); // the scan did see the agent's own command line
      expect(r.leaks).toEqual([]);
      expect(r.task?.status).toBe("succeeded");
      expect(r.task?.output).toBe(`${secret}\n${second}`);
      expect(api.lastUserText()).toBe(prompt);
      expect(r.task?.result?.sessionId).toBeTruthy();
      expect(r.task?.result?.tokens?.output).toBeGreaterThan(0);
      if (type === "claude-batch") expect(typeof r.task?.result?.costUsd).toBe("number");
    }, 200_000);
  }
});
