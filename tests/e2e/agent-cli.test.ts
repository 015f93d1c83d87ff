/**
 * The real agent CLIs (pinned versions, installed on first use into the shared cache) run
 * headless against the fake model API: proves the install helper, the offline environment
 * and both wire protocols of tests/helpers/fake-model-api.ts.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AGENT_PINS,
  type AgentKind,
  agentEnv,
  agentVersion,
  ensureAgentCli,
  killAgentProcesses,
  requestedVersion,
  writeAgentFiles,
} from "../helpers/agent-cli.ts";
import { type FakeModelApi, startFakeModelApi } from "../helpers/fake-model-api.ts";

const TIMEOUT = 120_000;
const RUN_DEADLINE = 60_000;

interface Sandbox {
  root: string;
  home: string;
  project: string;
  api: FakeModelApi;
  bin: string;
  env: Record<string, string>;
}

const live: Sandbox[] = [];

afterEach(async () => {
  for (const s of live.splice(0)) {
    await killAgentProcesses(s.home);
    await s.api.stop();
    rmSync(s.root, { recursive: true, force: true });
  }
});

async function sandbox(kind: AgentKind): Promise<Sandbox> {
  const bin = await ensureAgentCli(kind);
  const api = await startFakeModelApi();
  const root = mkdtempSync(join(tmpdir(), `orch-e2e-${kind}-`));
  const home = join(root, "home");
  const project = join(root, "project");
  mkdirSync(home);
  mkdirSync(project);
  // `codex exec` refuses to run outside a git repository (without --skip-git-repo-check).
  Bun.spawnSync(["git", "init", "-q", project]);
  const a = agentEnv(kind, { home, port: api.port, project, tmpdir: join(root, "tmp") });
  writeAgentFiles(a);
  const s = { root, home, project, api, bin, env: a.env };
  live.push(s);
  return s;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the agent with stdin from /dev/null; killed by pid when it overruns its deadline. */
async function run(s: Sandbox, args: string[], deadlineMs = RUN_DEADLINE): Promise<Run> {
  const t0 = performance.now();
  const proc = Bun.spawn([s.bin, ...args], {
    cwd: s.project,
    env: s.env,
    stdin: Bun.file("/dev/null"),
    stdout: "pipe",
    stderr: "pipe",
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill("SIGKILL");
  }, deadlineMs);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(timer);
  const r = { code, stdout, stderr, ms: Math.round(performance.now() - t0) };
  if (timedOut) {
    throw new Error(
      `${args.join(" ")}: no exit within ${deadlineMs} ms (killed pid ${proc.pid}); stdout:\n${stdout.slice(-2000)}\nstderr:\n${stderr.slice(-2000)}\nrequests: ${describeRequests(s.api)}`,
    );
  }
  return r;
}

function describeRequests(api: FakeModelApi): string {
  return api.requests.map((r) => `${r.method} ${r.path}${r.query}${r.main ? " (main)" : ""}`).join(", ");
}

function parseJson(r: Run, api: FakeModelApi): Record<string, unknown> {
  try {
    return JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(
      `exit ${r.code}, stdout is not one JSON object:\n${r.stdout.slice(-2000)}\nstderr:\n${r.stderr.slice(-2000)}\nrequests: ${describeRequests(api)}`,
    );
  }
}

describe("claude against the fake Anthropic API", () => {
  test(
    "-p --output-format json returns the scripted reply",
    async () => {
      const s = await sandbox("claude");
      const r = await run(s, ["-p", "REPLY: hello from fake", "--output-format", "json"]);
      const out = parseJson(r, s.api);
      expect(out).toMatchObject({ type: "result", is_error: false, result: "hello from fake", num_turns: 1 });
      expect(typeof out.session_id).toBe("string");
      expect(r.code).toBe(0);
      // HEAD / at start (2.1.197; 2.1.332 sends none), then the main request on
      // /v1/messages?beta=true, streamed.
      const others = s.api.requests.filter((q) => q.method !== "POST");
      expect(others.map((q) => `${q.method} ${q.path}`)).toEqual(others.length ? ["HEAD /"] : []);
      const main = s.api.modelRequests(true);
      expect(main.length).toBe(1);
      expect(main[0]).toMatchObject({ method: "POST", path: "/v1/messages", query: "?beta=true" });
      expect((main[0]!.body as { stream?: boolean }).stream).toBe(true);
      expect(main[0]!.headers["x-api-key"]).toBe(s.env.ANTHROPIC_API_KEY!);
      expect(s.api.lastUserText()).toBe("REPLY: hello from fake");
      expect(s.api.turnEnds.length).toBe(1);
    },
    TIMEOUT,
  );

  test(
    "RUN: makes it call its Bash tool; the reply after the tool result says DONE",
    async () => {
      const s = await sandbox("claude");
      const r = await run(s, [
        "-p",
        "RUN: echo tool-ran",
        "--allowedTools",
        "Bash",
        "--output-format",
        "json",
      ]);
      const out = parseJson(r, s.api);
      expect(out.is_error).toBe(false);
      expect(String(out.result)).toContain("DONE: tool-ran");
      const main = s.api.modelRequests(true);
      expect(main.length).toBe(2);
      const msgs = (main[1]!.body as { messages: { role: string; content: unknown }[] }).messages;
      const last = msgs.filter((m) => m.role === "user").at(-1)!;
      expect(JSON.stringify(last.content)).toContain('"type":"tool_result"');
      // the tool call did not end the turn, the DONE reply did
      expect(s.api.turnEnds.length).toBe(1);
    },
    TIMEOUT,
  );

  test(
    "a 5 KB multi-line prompt reaches the model byte for byte",
    async () => {
      const s = await sandbox("claude");
      const lines: string[] = ["REPLY: long prompt received"];
      for (let i = 0; lines.join("\n").length < 5 * 1024; i++) {
        lines.push(
          `line ${i}: "quotes" 'single' $HOME \`ticks\` \\backslash\\ ; & | < > tab:\there ünïcødé ✓`,
        );
      }
      const prompt = lines.join("\n");
      const r = await run(s, ["-p", prompt, "--output-format", "json"]);
      expect(parseJson(r, s.api).result).toBe(
        prompt.slice("REPLY: ".length), // REPLY: takes the rest of the prompt
      );
      expect(s.api.lastUserText()).toBe(prompt);
    },
    TIMEOUT,
  );
});

describe("codex against the fake OpenAI Responses API", () => {
  interface Event {
    type: string;
    item?: { type: string; text?: string; command?: string; aggregated_output?: string; exit_code?: number };
  }
  const events = (r: Run): Event[] =>
    r.stdout
      .split("\n")
      .filter((l) => l.trim().startsWith("{"))
      .map((l) => JSON.parse(l) as Event);

  test(
    "exec --json streams the scripted reply as the final agent message",
    async () => {
      const s = await sandbox("codex");
      const r = await run(s, ["exec", "--json", "REPLY: hi codex"]);
      const ev = events(r);
      if (r.code !== 0 || !ev.some((e) => e.type === "turn.completed")) {
        throw new Error(
          `codex exec failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}\n${describeRequests(s.api)}`,
        );
      }
      expect(ev[0]?.type).toBe("thread.started");
      // no "Model metadata ... not found" warning: the configured model is in codex's catalog
      expect(ev.filter((e) => e.item?.type === "error")).toEqual([]);
      const messages = ev.filter((e) => e.type === "item.completed" && e.item?.type === "agent_message");
      expect(messages.at(-1)?.item?.text).toBe("hi codex");
      const main = s.api.modelRequests(true);
      expect(main.length).toBe(1);
      expect(main[0]).toMatchObject({ method: "POST", path: "/v1/responses" });
      expect(main[0]!.headers.authorization).toBe(`Bearer ${s.env.OPENAI_API_KEY}`);
      expect(s.api.lastUserText()).toBe("REPLY: hi codex");
    },
    TIMEOUT,
  );

  test(
    "RUN: goes through its shell tool (exec_command {cmd}) and the output comes back",
    async () => {
      const s = await sandbox("codex");
      const r = await run(s, ["exec", "--json", "RUN: echo tool-ran"]);
      const ev = events(r);
      const cmd = ev.find((e) => e.type === "item.completed" && e.item?.type === "command_execution");
      expect(cmd?.item?.aggregated_output).toBe("tool-ran\n");
      expect(cmd?.item?.exit_code).toBe(0);
      const messages = ev.filter((e) => e.type === "item.completed" && e.item?.type === "agent_message");
      expect(messages.at(-1)?.item?.text).toBe("DONE: tool-ran");
      const tools = (s.api.modelRequests(true)[0]!.body as { tools: { name?: string }[] }).tools.map(
        (t) => t.name,
      );
      expect(tools).toContain("exec_command");
    },
    TIMEOUT,
  );
});

test(
  "ensureAgentCli is idempotent and returns a runnable executable of the pinned version",
  async () => {
    const home = mkdtempSync(join(tmpdir(), "orch-e2e-version-"));
    try {
      for (const kind of ["claude", "codex"] as const) {
        const [a, b] = await Promise.all([ensureAgentCli(kind), ensureAgentCli(kind)]);
        expect(a).toBe(b);
        expect(a.startsWith("/")).toBe(true);
        const v = Bun.spawnSync([a, "--version"], {
          env: { PATH: process.env.PATH ?? "", HOME: home, TMPDIR: home },
          timeout: 30_000,
        });
        expect(v.stdout.toString()).toContain(agentVersion(kind));
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  },
  TIMEOUT,
);

test("ORCH_AGENT_VERSIONS picks the versions: the pins by default, latest, or one per kind", () => {
  expect(requestedVersion("claude", "")).toBe(AGENT_PINS.claude.version);
  expect(requestedVersion("codex", "pinned")).toBe(AGENT_PINS.codex.version);
  expect(requestedVersion("claude", "latest")).toBe("latest");
  expect(requestedVersion("claude", "claude=2.1.197,codex=latest")).toBe("2.1.197");
  expect(requestedVersion("codex", "claude=2.1.197,codex=latest")).toBe("latest");
  expect(requestedVersion("codex", "claude=2.1.197")).toBe(AGENT_PINS.codex.version);
  expect(() => requestedVersion("claude", "gemini=1.0.0")).toThrow('"gemini=1.0.0" names no agent kind');
  expect(() => requestedVersion("claude", "claude=new")).toThrow('"claude=new" has no version');
});
