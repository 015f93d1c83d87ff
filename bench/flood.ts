/**
 * Flood (issue 17): one worker printing as fast as it can (`yes`) while 15 others run short
 * tasks one after another. The others' detection latency (marker printed -> task recorded
 * finished) and the API's latency (`GET /v1/status`, polled meanwhile) are measured with the
 * flood and, in the same orch, without it; then the controller's peak RSS while one task
 * prints 50 MB, in a fresh orch. Numbers only.
 */
import { readFileSync } from "node:fs";
import { FINAL, type OrchInstance, startOrch, type TaskJson, waitFinal } from "./orch.ts";
import { type LatencySummary, nowMs, summarize } from "./stats.ts";
import { stampMs, taskText } from "./workload.ts";

export interface FloodPhase {
  /** Detection latency of the other workers' short tasks, ms. */
  detection: LatencySummary;
  /** `GET /v1/status` round trips while they ran, ms. */
  api: LatencySummary;
  /** Bytes the flooding worker's log grew by meanwhile (0 without the flood). */
  floodBytes: number;
  seconds: number;
}

export interface FloodResult {
  workers: number;
  tasksPerWorker: number;
  quiet: FloodPhase;
  flood: FloodPhase;
  /** The 50 MB task: its output size, how long it took, and the controller's peak RSS (VmHWM). */
  big: { bytes: number; seconds: number; peakRssMB: number; idleRssMB: number };
}

function statusKB(pid: number, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : Number.NaN;
}

function logSize(o: OrchInstance, worker: string): number {
  try {
    return Bun.file(`${o.home}/logs/${worker}.log`).size;
  } catch {
    return 0;
  }
}

/** Short tasks on `names`, one after another on each, while the API is polled; returns the figures. */
async function shortTasks(o: OrchInstance, names: string[], perWorker: number, seq: { n: number }) {
  const detection: number[] = [];
  const api: number[] = [];
  let done = false;
  const poll = (async () => {
    while (!done) {
      const t0 = nowMs();
      await o.api("GET", "/v1/status");
      api.push(nowMs() - t0);
      await Bun.sleep(20);
    }
  })();
  const start = nowMs();
  await Promise.all(
    names.map(async (name) => {
      for (let k = 0; k < perWorker; k++) {
        const first = await o.api<TaskJson>("POST", "/v1/tasks?wait=60000", {
          worker: name,
          text: taskText(++seq.n),
          timeoutSec: 60,
        });
        const t = FINAL.has(first.status) ? first : await waitFinal(o, first.id);
        const stamp = stampMs(t.output ?? "");
        if (t.status !== "succeeded" || stamp === null || t.finishedAt === null)
          throw new Error(`flood bench: ${t.id} ${t.status} ${t.error ?? ""}`);
        detection.push(Date.parse(t.finishedAt) - stamp);
      }
    }),
  );
  const seconds = (nowMs() - start) / 1000;
  done = true;
  await poll;
  return { detection: summarize(detection), api: summarize(api), seconds };
}

/** The flood section: `workers` shell workers, the first one flooding. */
export async function runFlood(bin: string, workers: number, perWorker: number): Promise<FloodResult> {
  const o = await startOrch(bin);
  let quiet: FloodPhase;
  let flood: FloodPhase;
  try {
    const names = await o.addShellWorkers(workers, "w");
    const [flooder, ...others] = names as [string, ...string[]];
    const seq = { n: 0 };
    await shortTasks(o, others, 5, seq); // warm up
    quiet = { ...(await shortTasks(o, others, perWorker, seq)), floodBytes: 0 };
    const f = await o.api<TaskJson>("POST", "/v1/tasks", {
      worker: flooder,
      text: "yes flood-line-abcdefghijklmnopqrstuvwxyz",
      timeoutSec: 600,
    });
    const log0 = logSize(o, flooder);
    while ((await o.api<TaskJson>("GET", `/v1/tasks/${f.id}`)).status !== "running") await Bun.sleep(20);
    await Bun.sleep(500); // under way
    const during = await shortTasks(o, others, perWorker, seq);
    flood = { ...during, floodBytes: logSize(o, flooder) - log0 };
    await o.api("POST", `/v1/tasks/${f.id}/cancel`, {});
  } finally {
    await o.close();
  }
  return { workers, tasksPerWorker: perWorker, quiet, flood, big: await bigOutput(bin) };
}

/** One task printing 50 MB in a fresh orch: the controller's peak RSS (VmHWM) meanwhile. */
async function bigOutput(bin: string): Promise<FloodResult["big"]> {
  const o = await startOrch(bin);
  try {
    const [name] = await o.addShellWorkers(1, "big");
    await Bun.sleep(500);
    const idleRssMB = statusKB(o.pid, "VmRSS") / 1024;
    const bytes = 50_000_000;
    const start = nowMs();
    const t = await o.api<TaskJson>("POST", "/v1/tasks?wait=600000", {
      worker: name,
      text: `yes flood-line-abcdefghijklmnopqrstuvwxyz | head -c ${bytes}`,
      timeoutSec: 600,
    });
    const final = FINAL.has(t.status) ? t : await waitFinal(o, t.id);
    if (final.status !== "succeeded") throw new Error(`flood bench: the 50 MB task ${final.status}`);
    return {
      bytes,
      seconds: (nowMs() - start) / 1000,
      peakRssMB: statusKB(o.pid, "VmHWM") / 1024,
      idleRssMB,
    };
  } finally {
    await o.close();
  }
}

/** The section's lines for the bench's table. */
export function floodTable(r: FloodResult): string[] {
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "-");
  const row = (label: string, p: FloodPhase) =>
    `  ${label.padEnd(14)} detection p50 ${f(p.detection.p50).padStart(7)} p99 ${f(p.detection.p99).padStart(7)} ms | ` +
    `API p50 ${f(p.api.p50).padStart(6)} p99 ${f(p.api.p99).padStart(7)} ms | ${f(p.detection.n / p.seconds)} tasks/s` +
    (p.floodBytes ? ` | flood ${f(p.floodBytes / 1e6 / p.seconds)} MB/s` : "");
  const ratio = (a: number, b: number) => (b > 0 ? f(a / b) : "-");
  return [
    `Flood: 1 worker printing flat out (yes), ${r.workers - 1} running ${r.tasksPerWorker} short tasks each`,
    row("without flood", r.quiet),
    row("with flood", r.flood),
    `  ratio          detection p50 ${ratio(r.flood.detection.p50, r.quiet.detection.p50)}x p99 ${ratio(r.flood.detection.p99, r.quiet.detection.p99)}x | API p50 ${ratio(r.flood.api.p50, r.quiet.api.p50)}x p99 ${ratio(r.flood.api.p99, r.quiet.api.p99)}x (target <= 2x)`,
    `  50 MB task: ${f(r.big.seconds)} s, controller RSS idle ${f(r.big.idleRssMB)} MB, peak ${f(r.big.peakRssMB)} MB (target < 200 MB)`,
  ];
}
