/**
 * `bun run bench`: raw tmux control mode vs the naive per-call design vs orch, for 1, 4 and 16
 * shell workers; then `orch --help` start time, the controller's idle cost, and the agent
 * plugins' turn-end detection (bench/agents.ts: the real claude / codex CLIs against a fake
 * model API). Prints a table and writes bench/results.json. Numbers only: nothing here passes
 * or fails.
 *
 * Knobs: BENCH_TASKS (tasks per configuration, default 600), BENCH_WARMUP (unmeasured tasks per
 * worker before each measured run, so every contender is measured warm; default 50: after 10 a
 * fresh controller's JIT compiler thread still took ~15% of its CPU), BENCH_ROUNDS (alternating rounds of
 * raw, naive and orch per worker count, each contender's median round reported; default 5: the same build run twice
 * in one round differs by up to ~8%),
 * BENCH_WORKERS (default "1,4,16"),
 * BENCH_IDLE_SECONDS (default 30), BENCH_IDLE_WORKERS (default 50), BENCH_HELP_RUNS (default
 * 20), BENCH_AGENTS (interactive agent types, default "claude,gpt"; "" or "none" skips them),
 * BENCH_AGENT_PROMPTS (measured prompts per agent, default 20), BENCH_ORCH (binary, default
 * dist/orch; built when missing).
 *
 * The scheduler (bench/scheduler.ts, bench/queue-pick.ts, bench/store-memory.ts): BENCH_SCHED_TASKS (pool tasks over
 * 16 shell workers against direct send, default 2000), BENCH_SCHED_ROUNDS (alternating rounds,
 * default 5, every other one in reverse order), BENCH_QUEUE_SIZE (tasks queued for the pick time, and finished tasks in the store
 * for the controller's memory; default 100000). BENCH_SKIP: a comma list of sections not to run,
 * from help, raw, naive, orch, unmasked, idle, agents, sched, queue, memory, recovery, flood, hosts, remote. "unmasked"
 * runs orch again with secret masking off (ORCH_MASK=0) in the same alternating rounds: the
 * masking cost is orch over unmasked. BENCH_BASELINE: another orch binary (an older build) run
 * as the contender "baseline" in the same alternating rounds, to measure a change: the machine's
 * drift between two separate runs is often larger than the change.
 *
 * Recovery (bench/recovery.ts): BENCH_RECOVERY_KILLS (default 10), BENCH_RECOVERY_WORKERS
 * (kill-server, default 16), BENCH_HEALTH_WORKERS (default 100), BENCH_HEALTH_PASSES (default 20).
 *
 * Flood (bench/flood.ts): BENCH_FLOOD_WORKERS (default 16: one prints flat out, the others run
 * short tasks), BENCH_FLOOD_TASKS (short tasks per worker, default 40).
 *
 * Hosts (bench/hosts.ts, needs /usr/sbin/sshd): BENCH_HOST_CALLS (tmux commands per way and
 * round trip, default 60). Remote (bench/remote.ts): BENCH_REMOTE_TASKS (default 480 over 16
 * workers on a host), BENCH_REMOTE_PEER_TASKS (the peers' way, default 64), BENCH_REMOTE_IDLE_WORKERS
 * (idle workers over 4 hosts, default 200; 0 skips), BENCH_REMOTE_IDLE_SECONDS (their watch, default 60).
 */
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { AGENT_WARMUPS, type AgentResult, parseAgents, runAgent } from "./agents.ts";
import { type FloodResult, floodTable, runFlood } from "./flood.ts";
import { type HostsResult, hostsTable, runHosts } from "./hosts.ts";
import { type HelpResult, type IdleResult, runHelp, runIdle } from "./idle.ts";
import { runNaive } from "./naive.ts";
import { runOrch } from "./orch.ts";
import { type QueuePickResult, runQueuePick } from "./queue-pick.ts";
import { runRaw } from "./raw.ts";
import { type RecoveryResult, recoveryTable, runRecovery } from "./recovery.ts";
import { type RemoteResult, remoteTable, runRemote } from "./remote.ts";
import { runScheduler, type SchedulerResult } from "./scheduler.ts";
import { medianRun, type RunResult } from "./stats.ts";
import { runStoreMemory, type StoreMemoryResult } from "./store-memory.ts";

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
  /** Pool tasks through the scheduler against direct send, tasks/s. */
  schedRatio: 0.9,
  /** The scheduler's pick of a worker's next task with BENCH_QUEUE_SIZE queued, p50. */
  pickMs: 1,
  /** orch with masking over orch without, tasks/s (masking may cost at most 10%). */
  maskRatio: 0.9,
};

const SECTIONS = [
  "help",
  "raw",
  "naive",
  "orch",
  "idle",
  "agents",
  "sched",
  "queue",
  "memory",
  "recovery",
  "flood",
  "unmasked",
  "hosts",
  "remote",
] as const;
type Section = (typeof SECTIONS)[number];

/** BENCH_SKIP: the sections not to run. */
function skipped(): Set<Section> {
  const names = (process.env.BENCH_SKIP ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!(SECTIONS as readonly string[]).includes(n)) {
      throw new Error(`BENCH_SKIP: unknown section "${n}", expected some of ${SECTIONS.join(",")}`);
    }
  }
  return new Set(names as Section[]);
}

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, got "${v}"`);
  return n;
}

/** Unmeasured tasks per worker before each measured run (JIT, page cache, bash's first forks). */
const WARMUP = envInt("BENCH_WARMUP", 50);

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

/** The scheduler's figures, each null when skipped. */
interface SchedulerFigures {
  sched: SchedulerResult | null;
  pick: QueuePickResult | null;
  memory: StoreMemoryResult | null;
}

function table(
  runs: RunResult[],
  workerCounts: number[],
  tasks: number,
  roundCount: number,
  help: HelpResult | null,
  idle: IdleResult | null,
  agents: AgentResult[],
  sf: SchedulerFigures,
): string[] {
  const get = (c: RunResult["contender"], w: number) =>
    runs.find((r) => r.contender === c && r.workers === w);
  const tps = (r: RunResult | undefined) => r?.tasksPerSec ?? Number.NaN;
  const lat = (r: RunResult | undefined) => (r ? `${f(r.detection.p50)} / ${f(r.detection.p99)}` : "-");
  const times = (x: number) => (Number.isFinite(x) ? `${f(x, 2)}x` : "-");
  const out: string[] = [];
  if (runs.length) {
    out.push(
      `${tasks} tasks per configuration, after ${WARMUP} unmeasured warm-up task(s) per worker; each contender's median of ${roundCount} alternating round(s)`,
    );
    out.push("detection = the task's $EPOCHREALTIME (its last output) -> task recorded finished");
    out.push(
      "  (raw/naive: when the bench loop saw the marker; orch: finishedAt, which has 1 ms resolution)",
    );
    out.push("orch client-seen = $EPOCHREALTIME -> the bench's long-poll GET returned the final task");
    out.push("");
    const head1 = `${pad("", 7)} | ${"tasks/s".padEnd(30)} | ${"detection p50 / p99, ms".padEnd(41)} | orch client-seen`;
    const head2 = `${pad("workers", 7)} | ${pad("raw", 6)} ${pad("naive", 6)} ${pad("orch", 6)} ${pad("orch/raw", 9)} | ${pad("raw", 12)} ${pad("naive", 14)} ${pad("orch", 13)} | ${pad("p50 / p99, ms", 16)}`;
    out.push(head1, head2, "-".repeat(head2.length));
    for (const w of workerCounts) {
      const raw = get("raw", w);
      const naive = get("naive", w);
      const orch = get("orch", w);
      const seen = orch?.clientSeen ? `${f(orch.clientSeen.p50)} / ${f(orch.clientSeen.p99)}` : "-";
      out.push(
        `${pad(String(w), 7)} | ${pad(f(tps(raw), 0), 6)} ${pad(f(tps(naive), 0), 6)} ${pad(f(tps(orch), 0), 6)} ${pad(times(tps(orch) / tps(raw)), 9)} | ${pad(lat(raw), 12)} ${pad(lat(naive), 14)} ${pad(lat(orch), 13)} | ${pad(seen, 16)}`,
      );
    }
    out.push("");
  }
  out.push("targets:");
  for (const w of workerCounts) {
    const ratio = tps(get("orch", w)) / tps(get("raw", w));
    if (!Number.isFinite(ratio)) continue;
    out.push(
      `  orch >= ${TARGET.ratio}x raw tasks/s at ${w} worker(s): ${f(ratio, 2)}x  ${mark(ratio >= TARGET.ratio)}`,
    );
  }
  for (const w of workerCounts) {
    const cost = tps(get("orch", w)) / tps(get("unmasked", w));
    if (!Number.isFinite(cost)) continue;
    out.push(
      `  secret masking keeps >= ${TARGET.maskRatio}x of unmasked tasks/s at ${w} worker(s): ${f(cost, 2)}x (${f(tps(get("orch", w)), 0)} vs ${f(tps(get("unmasked", w)), 0)})  ${mark(cost >= TARGET.maskRatio)}`,
    );
  }
  for (const w of workerCounts) {
    const [o, b] = [get("orch", w), get("baseline", w)];
    if (!o || !b) continue;
    out.push(
      `  (orch over the baseline build at ${w} worker(s): ${f(tps(o) / tps(b), 2)}x tasks/s (${f(tps(o), 0)} vs ${f(tps(b), 0)}), detection p50 ${f(o.detection.p50)} vs ${f(b.detection.p50)} ms)`,
    );
  }
  const top = get("orch", Math.max(...workerCounts));
  if (top?.controllerCpuMsPerTask !== undefined) {
    const rawTmux = get("raw", top.workers)?.tmuxCpuMsPerTask;
    out.push(
      `  (CPU per task at ${top.workers} workers, for context: orch's controller ${f(top.controllerCpuMsPerTask, 2)} ms; tmux server ${f(top.tmuxCpuMsPerTask ?? Number.NaN, 2)} ms under orch, ${f(rawTmux ?? Number.NaN, 2)} ms under raw; the bench's own HTTP client ${f(top.clientCpuMsPerTask ?? Number.NaN, 2)} ms)`,
    );
  }
  if (top) {
    out.push(
      `  orch detection at ${top.workers} workers: p50 ${f(top.detection.p50)} ms (<= ${TARGET.p50Ms}) ${mark(top.detection.p50 <= TARGET.p50Ms)}, p99 ${f(top.detection.p99)} ms (<= ${TARGET.p99Ms}) ${mark(top.detection.p99 <= TARGET.p99Ms)}`,
    );
  }
  if (help) {
    out.push(
      `  orch --help start: median ${f(help.medianMs)} ms of ${help.runs} (min ${f(help.minMs)}, max ${f(help.maxMs)}) (<= ${TARGET.helpMs}) ${mark(help.medianMs <= TARGET.helpMs)}`,
    );
  }
  if (idle) {
    out.push(
      `  idle, ${idle.workers} shell workers, ${f(idle.seconds, 0)} s: controller CPU ${f(idle.cpuPercent, 2)}% of one core (< ${TARGET.idleCpuPercent}%) ${mark(idle.cpuPercent < TARGET.idleCpuPercent)}, RSS ${f(idle.rssMB)} MB, peak ${f(idle.peakRssMB)} MB (< ${TARGET.idleRssMB}) ${mark(idle.rssMB < TARGET.idleRssMB)}; tmux server CPU ${idle.tmuxCpuPercent === null ? "-" : `${f(idle.tmuxCpuPercent, 2)}%`}`,
    );
  }
  for (const a of agents) {
    out.push(
      a.status === "ok"
        ? `  ${a.agent} turn end -> task finished: p50 ${f(a.detection.p50)} ms (<= ${TARGET.agentP50Ms}) ${mark(a.detection.p50 <= TARGET.agentP50Ms)}, p99 ${f(a.detection.p99)} ms`
        : `  ${a.agent} turn end -> task finished: not measured (${a.status}: ${a.reason})`,
    );
  }
  out.push(...schedulerTargets(sf));
  if (agents.length) out.push("", ...agentTable(agents));
  if (sf.sched || sf.pick || sf.memory) out.push("", ...schedulerTable(sf));
  return out;
}

/** The scheduler's target lines. */
function schedulerTargets({ sched, pick, memory }: SchedulerFigures): string[] {
  const out: string[] = [];
  if (sched) {
    out.push(
      `  scheduler >= ${TARGET.schedRatio}x direct send tasks/s, ${sched.tasks} tasks over ${sched.workers} workers: ${f(sched.ratio, 2)}x  ${mark(sched.ratio >= TARGET.schedRatio)}`,
    );
  }
  if (pick) {
    const ms = (x: number) => `${f(x, 3)} ms`;
    out.push(
      `  pick the next task with ${pick.queued.toLocaleString("en")} queued: p50 ${ms(pick.pick.p50)} (< ${TARGET.pickMs}) ${mark(pick.pick.p50 < TARGET.pickMs)}, p99 ${ms(pick.pick.p99)}, max ${ms(pick.pick.max)}`,
    );
  }
  if (memory) {
    const more = memory.full.rssMB - memory.empty.rssMB;
    out.push(
      `  controller RSS with ${memory.storedTasks.toLocaleString("en")} tasks in the store: ${f(memory.full.rssMB)} MB (empty store ${f(memory.empty.rssMB)} MB: ${more >= 0 ? "+" : ""}${f(more)} MB)`,
    );
  }
  return out;
}

/** The scheduler's figures: pool tasks against direct send, the pick, the controller's memory. */
function schedulerTable({ sched, pick, memory }: SchedulerFigures): string[] {
  const out: string[] = [];
  const two = (s: { p50: number; p99: number } | undefined) => (s ? `${f(s.p50)} / ${f(s.p99)}` : "-");
  if (sched) {
    out.push(
      `scheduler: ${sched.tasks} tasks over ${sched.workers} shell workers, all submitted at once, after ${WARMUP} warm-up task(s) per worker;`,
      `  median of ${sched.rounds.length} alternating round(s) (rounds' tasks/s: direct ${sched.rounds.map((r) => f(r.direct.tasksPerSec, 0)).join(", ")}; scheduler ${sched.rounds.map((r) => f(r.scheduler.tasksPerSec, 0)).join(", ")})`,
      "direct = POST /v1/tasks to a named worker (each worker's share queued up front); scheduler = POST /v1/submit pool tasks",
      "",
    );
    const head = `${pad("", 9)} | ${pad("tasks/s", 7)} | ${pad("detection p50 / p99, ms", 23)} | ${pad("client-seen p50 / p99, ms", 25)}`;
    out.push(head, "-".repeat(head.length));
    for (const [name, r] of [
      ["direct", sched.direct],
      ["scheduler", sched.scheduler],
    ] as const) {
      out.push(
        `${pad(name, 9)} | ${pad(f(r.tasksPerSec, 0), 7)} | ${pad(two(r.detection), 23)} | ${pad(two(r.clientSeen), 25)}`,
      );
    }
    out.push("");
  }
  if (pick) {
    const three = (s: { p50: number; p99: number; max: number }, d: number) =>
      `${f(s.p50, d)} / ${f(s.p99, d)} / ${f(s.max, d)}`;
    out.push(
      `pick the next task, ${pick.queued.toLocaleString("en")} queued (mixed priorities, 4 agent types, 5 projects, 10% sent to workers); seeded in ${f(pick.seedSeconds)} s`,
    );
    const head = `${pad("", 26)} | ${pad("calls", 5)} | ${pad("p50 / p99 / max, ms", 24)}`;
    out.push(head, "-".repeat(head.length));
    out.push(
      `${pad("store.tasks.nextFor", 26)} | ${pad(String(pick.pick.n), 5)} | ${pad(three(pick.pick, 3), 24)}`,
    );
    out.push(
      `${pad("naive scan + sort in JS", 26)} | ${pad(String(pick.naive.n), 5)} | ${pad(three(pick.naive, 1), 24)}`,
    );
    out.push("");
  }
  if (memory) {
    out.push(
      `controller memory after 1 shell worker and 20 tasks, on a store with ${memory.storedTasks.toLocaleString("en")} finished tasks (${f(memory.dbMB)} MB) and on an empty one`,
    );
    const head = `${pad("store", 14)} | ${pad("RSS, MB", 7)} | ${pad("peak, MB", 8)}`;
    out.push(head, "-".repeat(head.length));
    out.push(`${pad("empty", 14)} | ${pad(f(memory.empty.rssMB), 7)} | ${pad(f(memory.empty.peakRssMB), 8)}`);
    out.push(
      `${pad(memory.storedTasks.toLocaleString("en"), 14)} | ${pad(f(memory.full.rssMB), 7)} | ${pad(f(memory.full.peakRssMB), 8)}`,
    );
  }
  while (out.at(-1) === "") out.pop();
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

/** The scheduler's three figures, the sections not skipped. */
async function runSchedulerFigures(bin: string, skip: Set<Section>): Promise<SchedulerFigures> {
  const schedTasks = envInt("BENCH_SCHED_TASKS", 2000);
  const schedRounds = envInt("BENCH_SCHED_ROUNDS", 5);
  const queueSize = envInt("BENCH_QUEUE_SIZE", 100_000);
  let sched: SchedulerResult | null = null;
  if (!skip.has("sched")) {
    console.log(
      `  scheduler: ${schedTasks} tasks over 16 workers, ${schedRounds} round(s) of direct + pool ...`,
    );
    sched = await runScheduler(bin, 16, schedTasks, schedRounds, WARMUP);
    console.log(
      `  scheduler 16 workers: ${f(sched.scheduler.tasksPerSec, 0)} tasks/s (direct ${f(sched.direct.tasksPerSec, 0)}, ${f(sched.ratio, 2)}x), detection p50 ${f(sched.scheduler.detection.p50)} ms, p99 ${f(sched.scheduler.detection.p99)} ms`,
    );
  }
  let pick: QueuePickResult | null = null;
  if (!skip.has("queue")) {
    console.log(`  pick: ${queueSize} tasks queued ...`);
    pick = runQueuePick(queueSize);
    console.log(
      `  pick with ${queueSize} queued: p50 ${f(pick.pick.p50, 3)} ms, p99 ${f(pick.pick.p99, 3)} ms; naive p50 ${f(pick.naive.p50)} ms`,
    );
  }
  let memory: StoreMemoryResult | null = null;
  if (!skip.has("memory")) {
    console.log(`  memory: controller on an empty store and on ${queueSize} finished tasks ...`);
    memory = await runStoreMemory(bin, queueSize);
    console.log(
      `  memory: RSS ${f(memory.full.rssMB)} MB with ${queueSize} tasks stored, ${f(memory.empty.rssMB)} MB empty`,
    );
  }
  return { sched, pick, memory };
}

async function main(): Promise<void> {
  const skip = skipped();
  const tasks = envInt("BENCH_TASKS", 600);
  const roundCount = Math.max(1, envInt("BENCH_ROUNDS", 5));
  const idleSeconds = envInt("BENCH_IDLE_SECONDS", 30);
  const idleWorkers = envInt("BENCH_IDLE_WORKERS", 50);
  const helpRuns = envInt("BENCH_HELP_RUNS", 20);
  const agentNames = skip.has("agents") ? [] : parseAgents(process.env.BENCH_AGENTS ?? "claude,gpt");
  const agentPrompts = envInt("BENCH_AGENT_PROMPTS", 20);
  const workerCounts = (process.env.BENCH_WORKERS ?? "1,4,16").split(",").map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n <= 0) throw new Error(`BENCH_WORKERS: "${s}" is not a worker count`);
    return n;
  });
  const bin = ensureBinary();
  const baseline = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : null;
  if (baseline && !existsSync(baseline)) throw new Error(`BENCH_BASELINE: no file ${baseline}`);
  if (baseline) console.log(`  baseline: ${baseline}`);
  const tmuxVersion = Bun.spawnSync(["tmux", "-V"]).stdout.toString().trim();
  console.log(`orch bench: ${bin}, ${tmuxVersion}, bun ${Bun.version}, ${cpus().length} CPUs`);
  if (skip.size) console.log(`  skipping: ${[...skip].join(", ")}`);

  const help = skip.has("help") ? null : await runHelp(bin, helpRuns);
  if (help) console.log(`  --help: median ${f(help.medianMs)} ms`);
  const runs: RunResult[] = [];
  for (const w of workerCounts) {
    // alternating rounds, so the machine's noise hits every contender alike; each one's median.
    // Every other round runs them in reverse order: a contender's place in the round moves its
    // figures by several percent (the same build run twice in a row differs so).
    const rounds = new Map<string, RunResult[]>();
    const contenders = [
      ["raw", () => runRaw(w, tasks, WARMUP)],
      ["naive", () => runNaive(w, tasks, WARMUP)],
      ["orch", () => runOrch(bin, w, tasks, "orch", WARMUP)],
      ["unmasked", () => runOrch(bin, w, tasks, "unmasked", WARMUP)],
      ["baseline", () => runOrch(baseline ?? bin, w, tasks, "baseline", WARMUP)],
    ] as const;
    for (let round = 1; round <= roundCount; round++) {
      for (const [name, run] of round % 2 ? contenders : [...contenders].reverse()) {
        if (name === "baseline" ? !baseline : skip.has(name)) continue;
        const r = await run();
        rounds.set(name, [...(rounds.get(name) ?? []), r]);
        console.log(
          `  ${pad(name, 8)} ${pad(String(w), 2)} workers, round ${round}/${roundCount}: ${f(r.tasksPerSec, 0)} tasks/s, detection p50 ${f(r.detection.p50)} ms, p99 ${f(r.detection.p99)} ms`,
        );
      }
    }
    for (const done of rounds.values()) runs.push(medianRun(done));
  }
  let idle: IdleResult | null = null;
  if (!skip.has("idle")) {
    console.log(`  idle: ${idleWorkers} workers for ${idleSeconds} s ...`);
    idle = await runIdle(bin, idleWorkers, idleSeconds);
  }
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
  const sf = await runSchedulerFigures(bin, skip);
  let recovery: RecoveryResult | null = null;
  if (!skip.has("recovery")) {
    console.log("  recovery: agent kills, tmux kill-server, health passes ...");
    recovery = await runRecovery(bin);
  }
  let flood: FloodResult | null = null;
  if (!skip.has("flood")) {
    console.log("  flood: one worker printing flat out among short tasks, then a 50 MB task ...");
    flood = await runFlood(bin, envInt("BENCH_FLOOD_WORKERS", 16), envInt("BENCH_FLOOD_TASKS", 40));
  }

  let hostsFigures: HostsResult | null = null;
  if (!skip.has("hosts")) {
    console.log("  hosts: one tmux command over orch's ssh control channel vs one ssh per command ...");
    hostsFigures = await runHosts(envInt("BENCH_HOST_CALLS", 60));
  }
  let remote: RemoteResult | null = null;
  if (!skip.has("remote")) {
    console.log("  remote: 16 shell workers on a host over ssh, here, and the peers' way ...");
    remote = await runRemote(
      bin,
      16,
      envInt("BENCH_REMOTE_TASKS", 480),
      envInt("BENCH_REMOTE_PEER_TASKS", 64),
      envInt("BENCH_REMOTE_IDLE_WORKERS", 200),
      // one whole health interval (60 s): its pass probes every idle worker once
      envInt("BENCH_REMOTE_IDLE_SECONDS", 60),
    );
  }

  console.log("");
  for (const line of table(runs, workerCounts, tasks, roundCount, help, idle, agents, sf)) console.log(line);
  if (recovery) for (const line of ["", ...recoveryTable(recovery)]) console.log(line);
  if (flood) for (const line of ["", ...floodTable(flood)]) console.log(line);
  if (hostsFigures) for (const line of ["", ...hostsTable(hostsFigures)]) console.log(line);
  if (remote) for (const line of ["", ...remoteTable(remote)]) console.log(line);

  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, tmux: tmuxVersion, bun: Bun.version },
    binary: bin,
    baseline,
    skipped: [...skip],
    tasksPerConfig: tasks,
    rounds: roundCount,
    targets: TARGET,
    runs,
    ratios: workerCounts.flatMap((w) => {
      const raw = runs.find((r) => r.contender === "raw" && r.workers === w);
      const orch = runs.find((r) => r.contender === "orch" && r.workers === w);
      const unmasked = runs.find((r) => r.contender === "unmasked" && r.workers === w);
      const base = runs.find((r) => r.contender === "baseline" && r.workers === w);
      return raw && orch
        ? [
            {
              workers: w,
              orchOverRaw: orch.tasksPerSec / raw.tasksPerSec,
              ...(unmasked ? { maskedOverUnmasked: orch.tasksPerSec / unmasked.tasksPerSec } : {}),
              ...(base ? { orchOverBaseline: orch.tasksPerSec / base.tasksPerSec } : {}),
            },
          ]
        : [];
    }),
    help,
    idle,
    agentPrompts: agentNames.length ? agentPrompts : 0,
    agents,
    scheduler: sf.sched,
    queuePick: sf.pick,
    storeMemory: sf.memory,
    recovery,
    flood,
    hosts: hostsFigures,
    remote,
  };
  const file = join(import.meta.dir, "results.json");
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
}

await main();
