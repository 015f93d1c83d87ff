import type { Task } from "../../domain/types.ts";
import type { RunRecord, Store } from "../../store/index.ts";
import type { ReportRun, ReportTask } from "../report/index.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A run as the API shows it: the run, its steps, and each step's tasks (without their output). */
export function runView(store: Store, run: RunRecord) {
  const byStep = new Map<string, Task[]>();
  for (const t of store.tasks.list({ runId: run.id })) {
    const list = byStep.get(t.step ?? "");
    if (list) list.push(t);
    else byStep.set(t.step ?? "", [t]);
  }
  return {
    run: runJson(run),
    steps: store.runs.steps(run.id).map((s) => ({
      name: s.name,
      status: s.status,
      reason: s.reason,
      startedAt: iso(s.startedAt),
      finishedAt: iso(s.finishedAt),
      tasks: (byStep.get(s.name) ?? []).map((t) => ({
        id: t.id,
        project: t.project,
        worker: t.worker,
        status: t.status,
        attempts: t.attempts,
        exitCode: t.exitCode,
        startedAt: iso(t.startedAt),
        finishedAt: iso(t.finishedAt),
        error: t.error,
      })),
    })),
  };
}
export type RunViewJson = ReturnType<typeof runView>;

/** A run's own fields as JSON. */
export function runJson(run: RunRecord) {
  return {
    id: run.id,
    name: run.name,
    file: run.file,
    status: run.status,
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
  };
}
export type RunJson = ReturnType<typeof runJson>;

/** What `orch report` renders: the run with every task, its output included. */
export function reportInput(store: Store, run: RunRecord): ReportRun {
  const types = new Map(store.workers.list().map((w) => [w.name, w.type]));
  return {
    id: run.id,
    name: run.name,
    file: run.file,
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    steps: store.runs.steps(run.id).map((s) => ({ name: s.name, status: s.status, reason: s.reason })),
    tasks: store.tasks.list({ runId: run.id }).map(
      (t): ReportTask => ({
        id: t.id,
        step: t.step,
        project: t.project,
        worker: t.worker,
        type: t.agentType ?? (t.worker ? (types.get(t.worker) ?? null) : null),
        status: t.status,
        attempts: t.attempts,
        exitCode: t.exitCode,
        submittedAt: t.submittedAt,
        startedAt: t.startedAt,
        finishedAt: t.finishedAt,
        output: t.output,
        error: t.error,
      }),
    ),
  };
}
