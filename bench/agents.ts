/**
 * The agent-plugin benchmark: how long after an interactive agent's turn ends does orch record
 * the task finished? The compiled orch drives the real Claude Code / Codex CLI (from the npm
 * registry, cached: tests/helpers/agent-cli.ts) against the fake model API on 127.0.0.1
 * (tests/helpers/fake-model-api.ts), set up exactly as tests/e2e/claude.test.ts and
 * tests/e2e/gpt.test.ts do.
 *
 * Per agent: orch in a temp ORCH_HOME with a temp HOME, one worker, 2 warm-up prompts, then
 * `prompts` prompts one after another (`POST /v1/tasks?wait=60000`, `REPLY: bench N`). For
 * each, the turn end is when the fake API closed the main reply stream that answered it (its
 * `turnEnds` entry); detection = the task's `finishedAt` (1 ms resolution) - turn end, and
 * client-seen = when the bench's POST returned with the final task - turn end.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type AgentKind,
  ensureAgentCli,
  killAgentProcesses,
  orchAgentEnv,
} from "../tests/helpers/agent-cli.ts";
import { type FakeModelApi, startFakeModelApi } from "../tests/helpers/fake-model-api.ts";
import { FINAL, type OrchInstance, startOrch, type TaskJson, waitFinal } from "./orch.ts";
import { type LatencySummary, nowMs, summarize } from "./stats.ts";
import { tempDir } from "./workload.ts";

/** The interactive agent worker types this bench knows, and the CLI each one drives. */
export const AGENTS = { claude: "claude", gpt: "codex" } as const satisfies Record<string, AgentKind>;
export type AgentName = keyof typeof AGENTS;

export const AGENT_WARMUPS = 2;

/** What one agent measured (or why it did not run). */
export type AgentResult =
  | {
      agent: AgentName;
      status: "ok";
      prompts: number;
      warmups: number;
      /** `orch add-worker` (POST /v1/workers, answered once the agent is ready), in ms. */
      addWorkerMs: number;
      /** Turn end (the fake API closed the reply stream) -> the task's finishedAt, in ms. */
      detection: LatencySummary;
      /** Turn end -> the bench's `POST /v1/tasks?wait=` returned the final task, in ms. */
      clientSeen: LatencySummary;
      /** The per-prompt figures, in order, rounded to 0.1 ms. */
      samples: { detection: number[]; clientSeen: number[] };
    }
  | { agent: AgentName; status: "skipped" | "failed"; reason: string };

/**
 * Parses BENCH_AGENTS: a comma-separated list of agent worker types; "" or "none" is none.
 *
 * @example
 * parseAgents("claude, gpt"); // ["claude", "gpt"]
 */
export function parseAgents(v: string): AgentName[] {
  const s = v.trim();
  if (s === "" || s === "none") return [];
  return s.split(",").map((part) => {
    const name = part.trim();
    if (!(name in AGENTS)) {
      throw new Error(`BENCH_AGENTS: "${name}" is not one of ${Object.keys(AGENTS).join(", ")} (or "none")`);
    }
    return name as AgentName;
  });
}

/** The environment that makes `orch add-worker --type <agent>` run the real CLI against `api`. */
function agentSetup(
  agent: AgentName,
  cli: string,
  api: { url: string; port: number },
  home: string,
): Record<string, string> {
  const common = {
    ORCH_WORKER_STARTUP_TIMEOUT: "60",
    ORCH_APPROVAL_POLICY: "approve",
  };
  // as the e2e tests: orch seeds the agent's trust itself; codex gets the user's config.toml
  return {
    ...common,
    ...orchAgentEnv(AGENTS[agent], { home, port: api.port, cli }).env,
    ORCH_RATE_LIMIT_BACKOFF: "1",
  };
}

/**
 * When the main text reply `text` (sent after `from` replies) ended the turn, on nowMs()'s
 * clock, or null. The fake API stamps it when the last event is written, before the agent can
 * have run its hook, so it is there once the task is final.
 */
function turnEndOf(api: FakeModelApi, from: number, text: string): number | null {
  // the fake API stamps performance.timeOrigin + performance.now(); bring it onto nowMs()'s clock
  const toWall = nowMs() - (performance.timeOrigin + performance.now());
  for (let i = api.replies.length - 1; i >= from; i--) {
    const r = api.replies[i]!;
    if (r.main && r.reply.kind === "text" && r.reply.text === text && api.turnEnds.includes(r.at))
      return r.at + toWall;
  }
  return null;
}

/** One prompt, answered once final. */
async function prompt(
  o: OrchInstance,
  worker: string,
  text: string,
): Promise<{ task: TaskJson; seen: number }> {
  const first = await o.api<TaskJson>("POST", "/v1/tasks?wait=60000", { worker, text, timeoutSec: 60 });
  const task = FINAL.has(first.status) ? first : await waitFinal(o, first.id);
  return { task, seen: nowMs() };
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Runs the benchmark for one agent. Never throws: a CLI that cannot be installed gives
 * `skipped`, anything going wrong afterwards gives `failed`, each with the reason.
 */
export async function runAgent(bin: string, agent: AgentName, prompts: number): Promise<AgentResult> {
  let cli: string;
  try {
    cli = await ensureAgentCli(AGENTS[agent]);
  } catch (e) {
    return { agent, status: "skipped", reason: `cannot install the ${AGENTS[agent]} CLI: ${firstLine(e)}` };
  }
  const api = await startFakeModelApi();
  const tmp = tempDir("orch-bench-agent-");
  const home = join(tmp.dir, "home");
  const project = join(tmp.dir, "project");
  mkdirSync(home, { recursive: true });
  mkdirSync(project, { recursive: true });
  let o: OrchInstance | null = null;
  try {
    o = await startOrch(bin, agentSetup(agent, cli, api, home));
    const worker = agent === "claude" ? "c1" : "g1";
    const t0 = nowMs();
    await o.api("POST", "/v1/workers", { type: agent, project, name: worker });
    const addWorkerMs = nowMs() - t0;

    const detection: number[] = [];
    const clientSeen: number[] = [];
    for (let i = 1; i <= AGENT_WARMUPS + prompts; i++) {
      const warm = i <= AGENT_WARMUPS;
      const answer = warm ? `warm-up ${i}` : `bench ${i - AGENT_WARMUPS}`;
      const from = api.replies.length;
      const { task, seen } = await prompt(o, worker, `REPLY: ${answer}`);
      if (task.status !== "succeeded" || task.finishedAt === null) {
        throw new Error(`prompt ${i}: task ${task.id} ${task.status}: ${task.error ?? ""}`);
      }
      if (task.output?.trim() !== answer) {
        throw new Error(
          `prompt ${i}: output ${JSON.stringify(task.output)}, expected ${JSON.stringify(answer)}`,
        );
      }
      const end = turnEndOf(api, from, answer);
      if (end === null)
        throw new Error(`prompt ${i}: no turn end recorded for the reply ${JSON.stringify(answer)}`);
      if (warm) continue;
      detection.push(Date.parse(task.finishedAt) - end);
      clientSeen.push(seen - end);
    }
    return {
      agent,
      status: "ok",
      prompts,
      warmups: AGENT_WARMUPS,
      addWorkerMs,
      detection: summarize(detection),
      clientSeen: summarize(clientSeen),
      samples: { detection: detection.map(round), clientSeen: clientSeen.map(round) },
    };
  } catch (e) {
    return { agent, status: "failed", reason: firstLine(e) };
  } finally {
    await o?.close().catch(() => undefined);
    // what the agent left behind (codex's app-server daemon outlives its TUI), by HOME
    await killAgentProcesses(home).catch(() => undefined);
    tmp.remove();
    await api.stop();
  }
}

function firstLine(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.split("\n").find((l) => l.trim() !== "") ?? s;
}
