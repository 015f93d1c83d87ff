/** The `runs` and `run_steps` tables: workflow runs and the state of each of their steps. */

import type { Database } from "bun:sqlite";
import type { RunStatus, StepStatus } from "../domain/types.ts";
import { createIdIndex, type IdIndex } from "./id-index.ts";
import { TEXT_PARAM } from "./text-param.ts";

export type { RunStatus };
/** A step's state within a run. */
export type RunStepStatus = StepStatus;

/** A workflow run as stored; `workflow` is the validated workflow, as JSON-able data. */
export interface RunRecord {
  id: string;
  name: string;
  file: string | null;
  workflow: unknown;
  status: RunStatus;
  startedAt: number;
  finishedAt: number | null;
}

/** One step of a run. */
export interface RunStepRecord {
  runId: string;
  name: string;
  status: RunStepStatus;
  reason: string | null;
  startedAt: number | null;
  finishedAt: number | null;
}

/**
 * Workflow runs in the store.
 *
 * @example
 * ```ts
 * store.runs.insert({ id, name: "nightly", file: "/w/nightly.yaml", workflow, status: "running",
 *   startedAt: Date.now(), finishedAt: null }, ["build", "test"]);
 * store.runs.setStep(id, "build", { status: "running", startedAt: Date.now() });
 * ```
 */
export interface RunsRepo {
  /** Adds a run and its steps, all pending. */
  insert(run: RunRecord, steps: string[]): void;
  get(id: string): RunRecord | null;
  /** Runs newest first (at most `limit`), optionally only those in a status. */
  list(opts?: { status?: RunStatus; limit?: number }): RunRecord[];
  steps(runId: string): RunStepRecord[];
  setStep(
    runId: string,
    name: string,
    patch: Partial<Pick<RunStepRecord, "status" | "reason" | "startedAt" | "finishedAt">>,
  ): void;
  finish(id: string, status: RunStatus, finishedAt: number): void;
  /** Run ids by prefix, and the short ids tables show. */
  readonly ids: IdIndex;
}

type RunRow = {
  id: string;
  name: string;
  file: string | null;
  workflow: string;
  status: string;
  started_at: number;
  finished_at: number | null;
};
type StepRow = {
  run_id: string;
  name: string;
  status: string;
  reason: string | null;
  started_at: number | null;
  finished_at: number | null;
};

const toRun = (r: RunRow): RunRecord => ({
  id: r.id,
  name: r.name,
  file: r.file,
  workflow: JSON.parse(r.workflow),
  status: r.status as RunStatus,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

/** The runs repository over a migrated store connection. */
export function createRunsRepo(db: Database): RunsRepo {
  const insertRun = db.prepare<never, [string, string, string | null, string, string, number]>(
    "INSERT INTO runs (id, name, file, workflow, status, started_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const insertStep = db.prepare<never, [string, string]>(
    "INSERT INTO run_steps (run_id, name, status) VALUES (?, ?, 'pending')",
  );
  const byId = db.prepare<RunRow, [string]>("SELECT * FROM runs WHERE id = ?");
  const stepsOf = db.prepare<StepRow, [string]>(
    `SELECT * FROM run_steps WHERE run_id = ${TEXT_PARAM} ORDER BY rowid`,
  );
  const setStep = db.prepare<
    never,
    [string | null, string | null, number | null, number | null, string, string]
  >(
    `UPDATE run_steps SET status = coalesce(?, status), reason = coalesce(?, reason),
       started_at = coalesce(?, started_at), finished_at = coalesce(?, finished_at)
     WHERE run_id = ? AND name = ?`,
  );
  const finish = db.prepare<never, [string, number, string]>(
    "UPDATE runs SET status = ?, finished_at = ? WHERE id = ?",
  );
  return {
    insert(run, steps) {
      insertRun.run(run.id, run.name, run.file, JSON.stringify(run.workflow), run.status, run.startedAt);
      for (const s of steps) insertStep.run(run.id, s);
    },
    get(id) {
      const r = byId.get(id);
      return r ? toRun(r) : null;
    },
    list(opts = {}) {
      const where = opts.status ? "WHERE status = ?" : "";
      const params: (string | number)[] = opts.status ? [opts.status] : [];
      params.push(opts.limit ?? -1);
      return db
        .query<RunRow, (string | number)[]>(
          `SELECT * FROM runs ${where} ORDER BY started_at DESC, rowid DESC LIMIT ?`,
        )
        .all(...params)
        .map(toRun);
    },
    steps(runId) {
      return stepsOf.all(runId).map((r) => ({
        runId: r.run_id,
        name: r.name,
        status: r.status as RunStepStatus,
        reason: r.reason,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
      }));
    },
    setStep(runId, name, p) {
      setStep.run(p.status ?? null, p.reason ?? null, p.startedAt ?? null, p.finishedAt ?? null, runId, name);
    },
    finish(id, status, finishedAt) {
      finish.run(status, finishedAt, id);
    },
    ids: createIdIndex(db, "runs"),
  };
}
