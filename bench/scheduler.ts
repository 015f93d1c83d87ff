/**
 * The scheduler's throughput: N shell workers on one project take pool tasks queued with
 * `POST /v1/submit?wait=MS` (any idle worker of the type and project may take each), against
 * orch's direct send (`runOrch`, each task addressed to one worker) in the same run, in
 * alternating rounds. Both contenders are driven alike: every task is submitted at once, each
 * request answering once its task is final (Bun's fetch keeps 256 of them in flight and queues
 * the rest in order, which keeps every worker's share queued in orch).
 */
import { FINAL, type OrchInstance, runOrch, startOrch, type TaskJson, waitFinal } from "./orch.ts";
import { medianRun, nowMs, type RunResult, runResult, summarize } from "./stats.ts";
import { stampMs, taskText } from "./workload.ts";

/** The scheduler against direct send: the median round of each, and every round. */
export interface SchedulerResult {
  workers: number;
  tasks: number;
  /** Pool tasks through the scheduler, the round with the median tasks/s (`contender` reads "orch"). */
  scheduler: RunResult;
  /** The same workers and task count sent to named workers (`POST /v1/tasks`), its median round. */
  direct: RunResult;
  /** Median scheduler tasks/s over median direct tasks/s. */
  ratio: number;
  /** Every round, direct and scheduler (odd rounds ran direct first, even ones the scheduler). */
  rounds: Array<{ direct: RunResult; scheduler: RunResult }>;
}

/** Queues one pool task for any shell worker of `project`; the answer comes once it is final. */
function submitPool(o: OrchInstance, project: string, text: string): Promise<TaskJson> {
  return o.api<TaskJson>("POST", "/v1/submit?wait=60000", {
    text,
    type: "shell",
    project,
    timeoutSec: 60,
    retries: 0,
  });
}

/**
 * Runs `total` pool tasks over `workers` shell workers of one project (after `warmup` unmeasured
 * tasks per worker), in an orch that starts no workers by itself (ORCH_AUTO_WORKERS=0).
 *
 * @example
 * const r = await runSchedulerPool("dist/orch", 16, 2000);
 * console.log(`${r.tasksPerSec.toFixed(0)} tasks/s, detection p50 ${r.detection.p50.toFixed(1)} ms`);
 */
export async function runSchedulerPool(
  bin: string,
  workers: number,
  total: number,
  warmup = 1,
): Promise<RunResult> {
  // no workers of its own: the bench adds them, so both contenders have the same ones
  const o = await startOrch(bin, { ORCH_AUTO_WORKERS: "0" });
  try {
    await o.addShellWorkers(workers, "s");
    let seq = 0;
    const batch = async (count: number) => {
      const detection: number[] = [];
      const seenByClient: number[] = [];
      const errors: string[] = [];
      const start = nowMs();
      await Promise.all(
        Array.from({ length: count }, async () => {
          const first = await submitPool(o, o.home, taskText(++seq));
          const t = FINAL.has(first.status) ? first : await waitFinal(o, first.id);
          const seen = nowMs();
          const stamp = stampMs(t.output ?? "");
          if (t.status !== "succeeded" || stamp === null || t.finishedAt === null) {
            errors.push(`${t.id}: ${t.status} ${t.error ?? ""} output=${JSON.stringify(t.output)}`);
            return;
          }
          detection.push(Date.parse(t.finishedAt) - stamp);
          seenByClient.push(seen - stamp);
        }),
      );
      if (errors.length) throw new Error(`scheduler: ${errors.length} tasks went wrong, first: ${errors[0]}`);
      return { start, end: nowMs(), detection, seenByClient };
    };
    await batch(workers * warmup); // warm-up: about `warmup` tasks per worker
    const r = await batch(total);
    return {
      ...runResult("orch", workers, total, r.start, r.end, r.detection),
      clientSeen: summarize(r.seenByClient),
    };
  } finally {
    await o.close();
  }
}

/**
 * The scheduler's tasks/s and detection against direct send, same workers and task count, in
 * `rounds` alternating rounds (the machine's noise hits both alike); each side's median round.
 *
 * @example
 * const r = await runScheduler("dist/orch", 16, 2000, 3);
 * console.log(`${r.scheduler.tasksPerSec.toFixed(0)} tasks/s, ${r.ratio.toFixed(2)}x direct`);
 */
export async function runScheduler(
  bin: string,
  workers: number,
  total: number,
  rounds: number,
  warmup = 1,
): Promise<SchedulerResult> {
  const done: SchedulerResult["rounds"] = [];
  for (let i = 0; i < rounds; i++) {
    const direct = () => runOrch(bin, workers, total, "orch", warmup);
    const scheduler = () => runSchedulerPool(bin, workers, total, warmup);
    // every other round in the other order: a contender's place in the round moves its figures
    if (i % 2 === 0) done.push({ direct: await direct(), scheduler: await scheduler() });
    else {
      const s = await scheduler();
      done.push({ direct: await direct(), scheduler: s });
    }
  }
  const direct = medianRun(done.map((r) => r.direct));
  const scheduler = medianRun(done.map((r) => r.scheduler));
  return {
    workers,
    tasks: total,
    scheduler,
    direct,
    ratio: scheduler.tasksPerSec / direct.tasksPerSec,
    rounds: done,
  };
}
