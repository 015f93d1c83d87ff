/**
 * `bun run bench`: raw tmux control mode vs the naive per-call design vs orch, for 1, 4 and 16
 * shell workers; then `orch --help` start time, the controller's idle cost, and the agent
 * plugins' turn-end detection (bench/agents.ts: the real claude / codex CLIs against a fake
 * model API). Prints a table and writes bench/results.json. Numbers only: nothing here passes
 * or fails.
 *
 * Knobs: BENCH_TASKS (tasks per configuration, default 300), BENCH_WORKERS (default "1,4,16"),
 * BENCH_IDLE_SECONDS (default 30), BENCH_IDLE_WORKERS (default 50), BENCH_HELP_RUNS (default
 * 20), BENCH_AGENTS (interactive agent types, default "claude,gpt"; "" or "none" skips them),
 * BENCH_AGENT_PROMPTS (measured prompts per agent, default 20), BENCH_ORCH (binary, default
 * dist/orch; built when missing).
 */
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { AGENT_WARMUPS, type AgentResult, parseAgents, runAgent } from "./agents.ts";
import { type HelpResult, type IdleResult, runHelp, runIdle } from "./idle.ts";
import { runNaive } from "./naive.ts";
import { runOrch } from "./orch.ts";
import { runRaw } from "./raw.ts";
import type { RunResult } from "./stats.ts";

const ROOT = resolve(import.meta.dir, "..");
const TARGET = {
  ratio: 0.7,
  p50Ms: 10,
  p99Ms: 50,
  helpMs: 50,
  idleCpuPercent: 1,
  idleRssMB: 150,
  /** Agent turn end -> task finished, p50 (the best-known peer waits 1.5 s of unchanged screen). */
  agentP50Ms: 300,
};

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, got "${v}"`);
  return n;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function ensureBinary(): string {
  const bin = resolve(process.env.BENCH_ORCH ?? join(ROOT, "dist", "orch"));
  if (!existsSync(bin)) {
    console.log(`building ${bin} ...`);
    const bunDir = join(ROOT, "node_modules", ".bin");
    const r = Bun.spawnSync(["bun", "run", "build"], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${bunDir}:${process.env.PATH ?? ""}` },
      stdout: "inherit",
      stderr: "inherit",
    });
    if (r.exitCode !== 0 || !existsSync(bin)) throw new Error(`bun run build failed (${r.exitCode})`);
  } else if (newestMtime(join(ROOT, "src")) > statSync(bin).mtimeMs) {
    console.log(`note: ${bin} is older than src/ (run \`bun run build\` to bench the current code)`);
  }
  return bin;
}

const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
const mark = (ok: boolean) => (ok ? "ok" : "MISS");
const pad = (s: string, n: number) => s.padStart(n);

function table(
  runs: RunResult[],
  workerCounts: number[],
  tasks: number,
  help: HelpResult,
  idle: IdleResult,
  agents: AgentResult[],
): string[] {
  const get = (c: RunResult["contender"], w: number) =>
    runs.find((r) => r.contender === c && r.workers === w)!;
  const lat = (r: RunResult) => `${f(r.detection.p50)} / ${f(r.detection.p99)}`;
  const out: string[] = [];
  out.push(`${tasks} tasks per configuration, after 1 warm-up task per worker`);
  out.push("detection = the task's $EPOCHREALTIME (its last output) -> task recorded finished");
  out.push("  (raw/naive: when the bench loop saw the marker; orch: finishedAt, which has 1 ms resolution)");
  out.push("orch client-seen = $EPOCHREALTIME -> the bench's long-poll GET returned the final task");
  out.push("");
  const head1 = `${pad("", 7)} | ${"tasks/s".padEnd(30)} | ${"detection p50 / p99, ms".padEnd(41)} | orch client-seen`;
  const head2 = `${pad("workers", 7)} | ${pad("raw", 6)} ${pad("naive", 6)} ${pad("orch", 6)} ${pad("orch/raw", 9)} | ${pad("raw", 12)} ${pad("naive", 14)} ${pad("orch", 13)} | ${pad("p50 / p99, ms", 16)}`;
  out.push(head1, head2, "-".repeat(head2.length));
  for (const w of workerCounts) {
    const raw = get("raw", w);
    const naive = get("naive", w);
    const orch = get("orch", w);
    const seen = orch.clientSeen ? `${f(orch.clientSeen.p50)} / ${f(orch.clientSeen.p99)}` : "-";
    out.push(
      `${pad(String(w), 7)} | ${pad(f(raw.tasksPerSec, 0), 6)} ${pad(f(naive.tasksPerSec, 0), 6)} ${pad(f(orch.tasksPerSec, 0), 6)} ${pad(`${f(orch.tasksPerSec / raw.tasksPerSec, 2)}x`, 9)} | ${pad(lat(raw), 12)} ${pad(lat(naive), 14)} ${pad(lat(orch), 13)} | ${pad(seen, 16)}`,
    );
  }
  out.push("");
  out.push("targets:");
  for (const w of workerCounts) {
    const ratio = get("orch", w).tasksPerSec / get("raw", w).tasksPerSec;
    out.push(
      `  orch >= ${TARGET.ratio}x raw tasks/s at ${w} worker(s): ${f(ratio, 2)}x  ${mark(ratio >= TARGET.ratio)}`,
    );
  }
  const top = get("orch", Math.max(...workerCounts));
  out.push(
    `  orch detection at ${top.workers} workers: p50 ${f(top.detection.p50)} ms (<= ${TARGET.p50Ms}) ${mark(top.detection.p50 <= TARGET.p50Ms)}, p99 ${f(top.detection.p99)} ms (<= ${TARGET.p99Ms}) ${mark(top.detection.p99 <= TARGET.p99Ms)}`,
  );
  out.push(
    `  orch --help start: median ${f(help.medianMs)} ms of ${help.runs} (min ${f(help.minMs)}, max ${f(help.maxMs)}) (<= ${TARGET.helpMs}) ${mark(help.medianMs <= TARGET.helpMs)}`,
  );
  out.push(
    `  idle, ${idle.workers} shell workers, ${f(idle.seconds, 0)} s: controller CPU ${f(idle.cpuPercent, 2)}% of one core (< ${TARGET.idleCpuPercent}%) ${mark(idle.cpuPercent < TARGET.idleCpuPercent)}, RSS ${f(idle.rssMB)} MB, peak ${f(idle.peakRssMB)} MB (< ${TARGET.idleRssMB}) ${mark(idle.rssMB < TARGET.idleRssMB)}; tmux server CPU ${idle.tmuxCpuPercent === null ? "-" : `${f(idle.tmuxCpuPercent, 2)}%`}`,
  );
  for (const a of agents) {
    out.push(
      a.status === "ok"
        ? `  ${a.agent} turn end -> task finished: p50 ${f(a.detection.p50)} ms (<= ${TARGET.agentP50Ms}) ${mark(a.detection.p50 <= TARGET.agentP50Ms)}, p99 ${f(a.detection.p99)} ms`
        : `  ${a.agent} turn end -> task finished: not measured (${a.status}: ${a.reason})`,
    );
  }
  if (agents.length) out.push("", ...agentTable(agents));
  return out;
}

/** The agent-plugin figures: turn end -> finishedAt, and -> the client saw it. */
function agentTable(agents: AgentResult[]): string[] {
  const n = agents.find((a) => a.status === "ok");
  const out: string[] = [];
  out.push(
    `agent plugins, interactive mode${n?.status === "ok" ? `: ${n.prompts} prompts each after ${n.warmups} warm-ups` : ""}`,
  );
  out.push(
    "detection = the fake model API wrote the last event of the reply ending the turn -> task finishedAt",
  );
  out.push("client-seen = the same turn end -> the bench's POST /v1/tasks?wait= returned the final task");
  out.push("");
  const head = `${pad("agent", 7)} | ${pad("detection p50 / p99 / max, ms", 31)} | ${pad("client-seen p50 / p99 / max, ms", 33)} | ${pad("add-worker", 10)}`;
  out.push(head, "-".repeat(head.length));
  const three = (s: { p50: number; p99: number; max: number }) => `${f(s.p50)} / ${f(s.p99)} / ${f(s.max)}`;
  for (const a of agents) {
    if (a.status !== "ok") {
      out.push(`${pad(a.agent, 7)} | ${a.status}: ${a.reason}`);
      continue;
    }
    out.push(
      `${pad(a.agent, 7)} | ${pad(three(a.detection), 31)} | ${pad(three(a.clientSeen), 33)} | ${pad(`${f(a.addWorkerMs / 1000, 1)} s`, 10)}`,
    );
  }
  return out;
}

async function main(): Promise<void> {
  const tasks = envInt("BENCH_TASKS", 300);
  const idleSeconds = envInt("BENCH_IDLE_SECONDS", 30);
  const idleWorkers = envInt("BENCH_IDLE_WORKERS", 50);
  const helpRuns = envInt("BENCH_HELP_RUNS", 20);
  const agentNames = parseAgents(process.env.BENCH_AGENTS ?? "claude,gpt");
  const agentPrompts = envInt("BENCH_AGENT_PROMPTS", 20);
  const workerCounts = (process.env.BENCH_WORKERS ?? "1,4,16").split(",").map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n <= 0) throw new Error(`BENCH_WORKERS: "${s}" is not a worker count`);
    return n;
  });
  const bin = ensureBinary();
  const tmuxVersion = Bun.spawnSync(["tmux", "-V"]).stdout.toString().trim();
  console.log(`orch bench: ${bin}, ${tmuxVersion}, bun ${Bun.version}, ${cpus().length} CPUs`);

  const help = await runHelp(bin, helpRuns);
  console.log(`  --help: median ${f(help.medianMs)} ms`);
  const runs: RunResult[] = [];
  for (const w of workerCounts) {
    for (const [name, run] of [
      ["raw", () => runRaw(w, tasks)],
      ["naive", () => runNaive(w, tasks)],
      ["orch", () => runOrch(bin, w, tasks)],
    ] as const) {
      const r = await run();
      runs.push(r);
      console.log(
        `  ${pad(name, 5)} ${pad(String(w), 2)} workers: ${f(r.tasksPerSec, 0)} tasks/s, detection p50 ${f(r.detection.p50)} ms, p99 ${f(r.detection.p99)} ms`,
      );
    }
  }
  console.log(`  idle: ${idleWorkers} workers for ${idleSeconds} s ...`);
  const idle = await runIdle(bin, idleWorkers, idleSeconds);
  const agents: AgentResult[] = [];
  for (const name of agentNames) {
    console.log(`  ${name}: 1 worker, ${AGENT_WARMUPS} warm-up + ${agentPrompts} prompts ...`);
    const a = await runAgent(bin, name, agentPrompts);
    agents.push(a);
    console.log(
      a.status === "ok"
        ? `  ${pad(name, 6)}: turn end -> finished p50 ${f(a.detection.p50)} ms, p99 ${f(a.detection.p99)} ms, max ${f(a.detection.max)} ms; client-seen p50 ${f(a.clientSeen.p50)} ms`
        : `  ${pad(name, 6)}: ${a.status === "skipped" ? "SKIPPED" : "FAILED"}: ${a.reason}`,
    );
  }

  console.log("");
  for (const line of table(runs, workerCounts, tasks, help, idle, agents)) console.log(line);

  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, tmux: tmuxVersion, bun: Bun.version },
    binary: bin,
    tasksPerConfig: tasks,
    targets: TARGET,
    runs,
    ratios: workerCounts.map((w) => {
      const raw = runs.find((r) => r.contender === "raw" && r.workers === w)!;
      const orch = runs.find((r) => r.contender === "orch" && r.workers === w)!;
      return { workers: w, orchOverRaw: orch.tasksPerSec / raw.tasksPerSec };
    }),
    help,
    idle,
    agentPrompts: agentNames.length ? agentPrompts : 0,
    agents,
  };
  const file = join(import.meta.dir, "results.json");
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
}

await main();
