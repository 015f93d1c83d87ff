/**
 * Recovery figures (issue 5): a killed agent -> `dead` recorded; dead -> revived and ready
 * (shell); `tmux kill-server` -> every worker back; the controller's CPU for one health pass
 * over many workers. Each comes with a reference measured in the same run: how long tmux
 * itself takes to start the same shells and show their prompts (a script polling capture-pane
 * every 10 ms), and the tmux server's own CPU for the pass's list-panes.
 *
 * Run alone: `bun bench/recovery.ts` (BENCH_RECOVERY_KILLS, default 10; BENCH_RECOVERY_WORKERS,
 * default 16; BENCH_HEALTH_WORKERS, default 100; BENCH_HEALTH_PASSES, default 20).
 */
import { join } from "node:path";
import { type OrchInstance, startOrch } from "./orch.ts";
import { cpuMs, tmuxServerPid } from "./proc-cpu.ts";
import { type LatencySummary, nowMs, summarize } from "./stats.ts";
import { shellWindowArgs, startPrivateTmux, tempDir } from "./workload.ts";

export interface RecoveryResult {
  kills: number;
  /** kill -9 of the agent -> the worker.dead event (ms). */
  killToDead: LatencySummary;
  /** worker.dead -> worker.revived (agent ready again), with ORCH_REVIVE_DELAY at its floor (ms). */
  deadToRevived: LatencySummary;
  /** Reference: tmux starts one shell in a new window until its prompt shows (ms). */
  rawShellStart: LatencySummary;
  serverWorkers: number;
  /** tmux kill-server -> every worker revived (ms). */
  killServerToAllBack: number;
  /** Reference: tmux starts that many shells in a fresh server until every prompt shows (ms). */
  rawServerStart: number;
  healthWorkers: number;
  healthPasses: number;
  /** Controller CPU per health pass (ms), and wall time of one `POST /v1/health-check` (ms). */
  healthCpuMs: number;
  healthWallMs: LatencySummary;
  /** Reference: the tmux server's CPU for the pass's one list-panes (ms per pass). */
  healthTmuxCpuMs: number | null;
}

interface EventJson {
  id: number;
  at: string | number;
  kind: string;
  worker: string | null;
}

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  const n = v === undefined || v === "" ? fallback : Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: expected a whole number > 0, got "${v}"`);
  return n;
}

const atMs = (e: EventJson) => (typeof e.at === "number" ? e.at : Date.parse(e.at));

/** Long-polls the event feed after `after` until `pick` finds what it waits for (60 s at most). */
async function waitEvents(
  o: OrchInstance,
  after: number,
  pick: (seen: EventJson[]) => boolean,
): Promise<EventJson[]> {
  const seen: EventJson[] = [];
  const until = Date.now() + 60_000;
  let last = after;
  while (Date.now() < until) {
    const page = await o.api<EventJson[]>("GET", `/v1/events?after=${last}&limit=500&wait=2000`);
    for (const e of page) {
      seen.push(e);
      last = Math.max(last, e.id);
    }
    if (pick(seen)) return seen;
  }
  throw new Error(
    `recovery bench: events did not come within 60 s (saw ${seen.map((e) => e.kind).join(", ")})`,
  );
}

async function lastEventId(o: OrchInstance): Promise<number> {
  const latest = await o.api<EventJson[]>("GET", "/v1/events?limit=1");
  return latest.at(-1)?.id ?? 0;
}

function panePid(o: OrchInstance, paneId: string): number {
  const r = Bun.spawnSync([
    "tmux",
    "-S",
    join(o.home, "tmux.sock"),
    "display-message",
    "-p",
    "-t",
    paneId,
    "#{pane_pid}",
  ]);
  return Number(r.stdout.toString().trim());
}

/** Kills one worker's shell `kills` times; each death and revive timed from the event log. */
async function killAgents(bin: string, kills: number) {
  const o = await startOrch(bin, {
    // no delay and no backoff (a window too short to count restarts in): the restart itself is timed
    ORCH_REVIVE_DELAY: "0.001",
    ORCH_RESTART_WINDOW: "0.001",
    ORCH_MAX_RESTARTS: "1000",
  });
  const toDead: number[] = [];
  const toRevived: number[] = [];
  try {
    await o.addShellWorkers(1, "k");
    for (let i = 0; i < kills; i++) {
      const st = await o.api<{ workers: { paneId: string }[] }>("GET", "/v1/status");
      const after = await lastEventId(o);
      const killedAt = Date.now();
      process.kill(panePid(o, st.workers[0]!.paneId), "SIGKILL");
      const seen = await waitEvents(o, after, (s) => s.some((e) => e.kind === "worker.revived"));
      const dead = seen.find((e) => e.kind === "worker.dead")!;
      const revived = seen.find((e) => e.kind === "worker.revived")!;
      toDead.push(atMs(dead) - killedAt);
      toRevived.push(atMs(revived) - atMs(dead));
    }
  } finally {
    await o.close();
  }
  return { toDead: summarize(toDead), toRevived: summarize(toRevived) };
}

/** `tmux kill-server` with `workers` shell workers: until every one of them is revived. */
async function killServer(bin: string, workers: number): Promise<number> {
  const o = await startOrch(bin);
  try {
    await o.addShellWorkers(workers, "s");
    const after = await lastEventId(o);
    const t0 = Date.now();
    Bun.spawnSync(["tmux", "-S", join(o.home, "tmux.sock"), "kill-server"]);
    const seen = await waitEvents(
      o,
      after,
      (s) => s.filter((e) => e.kind === "worker.revived").length >= workers,
    );
    return Math.max(...seen.filter((e) => e.kind === "worker.revived").map(atMs)) - t0;
  } finally {
    await o.close();
  }
}

/** Reference: tmux starts `n` orch-configured shells in new windows; ms until every prompt shows. */
async function rawStart(n: number): Promise<number> {
  const tmp = tempDir("orch-bench-raw-start-");
  const tmux = startPrivateTmux(tmp.dir);
  try {
    const t0 = nowMs();
    // the shell's ready pattern is an escape sequence capture-pane does not show: its prompt is
    const prompt = /^\$\s*$/m;
    const panes: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = Bun.spawnSync(["tmux", "-S", tmux.socket, ...shellWindowArgs(tmux, tmp.dir, `r${i}`)]);
      panes.push(r.stdout.toString().trim());
    }
    const pending = new Set(panes);
    const until = Date.now() + 30_000;
    while (pending.size && Date.now() < until) {
      for (const p of pending) {
        const screen = Bun.spawnSync([
          "tmux",
          "-S",
          tmux.socket,
          "capture-pane",
          "-p",
          "-t",
          p,
        ]).stdout.toString();
        if (prompt.test(screen)) pending.delete(p);
      }
      if (pending.size) await Bun.sleep(10);
    }
    if (pending.size) throw new Error(`raw start: ${pending.size} shells showed no prompt within 30 s`);
    return nowMs() - t0;
  } finally {
    tmux.kill();
    tmp.remove();
  }
}

/** Controller CPU per health pass over `workers` idle shell workers. */
async function healthPasses(bin: string, workers: number, passes: number) {
  const o = await startOrch(bin, { ORCH_HEALTH_CHECK_INTERVAL: "86400", ORCH_MAX_WORKERS: String(workers) });
  try {
    await o.addShellWorkers(workers, "h");
    await o.api("POST", "/v1/health-check"); // warm-up
    const tmuxPid = tmuxServerPid(join(o.home, "tmux.sock"));
    const wall: number[] = [];
    const c0 = cpuMs(o.pid);
    const t0 = tmuxPid ? cpuMs(tmuxPid) : 0;
    for (let i = 0; i < passes; i++) {
      const s = nowMs();
      await o.api("POST", "/v1/health-check");
      wall.push(nowMs() - s);
    }
    const cpu = (cpuMs(o.pid) - c0) / passes;
    const tmuxCpu = tmuxPid ? (cpuMs(tmuxPid) - t0) / passes : null;
    return { cpu, wall: summarize(wall), tmuxCpu };
  } finally {
    await o.close();
  }
}

export async function runRecovery(bin: string): Promise<RecoveryResult> {
  const kills = envInt("BENCH_RECOVERY_KILLS", 10);
  const serverWorkers = envInt("BENCH_RECOVERY_WORKERS", 16);
  const healthWorkers = envInt("BENCH_HEALTH_WORKERS", 100);
  const passes = envInt("BENCH_HEALTH_PASSES", 20);
  const agents = await killAgents(bin, kills);
  const rawShell: number[] = [];
  for (let i = 0; i < kills; i++) rawShell.push(await rawStart(1));
  const allBack = await killServer(bin, serverWorkers);
  const rawServer = await rawStart(serverWorkers);
  const health = await healthPasses(bin, healthWorkers, passes);
  return {
    kills,
    killToDead: agents.toDead,
    deadToRevived: agents.toRevived,
    rawShellStart: summarize(rawShell),
    serverWorkers,
    killServerToAllBack: allBack,
    rawServerStart: rawServer,
    healthWorkers,
    healthPasses: passes,
    healthCpuMs: health.cpu,
    healthWallMs: health.wall,
    healthTmuxCpuMs: health.tmuxCpu,
  };
}

/** The recovery lines of the bench table, with the targets. */
export function recoveryTable(r: RecoveryResult): string[] {
  const f = (n: number) => n.toFixed(1);
  const mark = (ok: boolean) => (ok ? "ok" : "MISS");
  return [
    `Recovery (${r.kills} kills of a shell agent; ${r.serverWorkers} workers for kill-server; ${r.healthWorkers} workers for the health pass):`,
    `  kill -9 agent -> dead recorded      p50 ${f(r.killToDead.p50)} ms, max ${f(r.killToDead.max)} ms   (target <= 1000 ms: ${mark(r.killToDead.max <= 1000)})`,
    `  dead -> revived and ready (shell)   p50 ${f(r.deadToRevived.p50)} ms, max ${f(r.deadToRevived.max)} ms   (reference: tmux starts the shell, prompt seen: p50 ${f(r.rawShellStart.p50)} ms; without reviveDelay, default 1 s)`,
    `  tmux kill-server -> all back        ${f(r.killServerToAllBack)} ms   (target <= 10000 ms: ${mark(r.killServerToAllBack <= 10_000)}; reference: tmux starts ${r.serverWorkers} shells, prompts seen: ${f(r.rawServerStart)} ms)`,
    `  health pass, controller CPU         ${f(r.healthCpuMs)} ms per pass, wall p50 ${f(r.healthWallMs.p50)} ms   (tmux server CPU for it: ${r.healthTmuxCpuMs === null ? "n/a" : `${f(r.healthTmuxCpuMs)} ms`})`,
  ];
}

if (import.meta.main) {
  const bin = process.env.BENCH_ORCH ?? join(import.meta.dir, "..", "dist", "orch");
  const r = await runRecovery(bin);
  for (const line of recoveryTable(r)) console.log(line);
}
