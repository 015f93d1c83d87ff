/** Runs the report tests render. */
import type { ReportRun, ReportTask } from "../../../../src/core/app/report/index.ts";

/** 2025-01-01T00:00:00.000Z */
export const T0 = Date.UTC(2025, 0, 1);

/** A task with everything defaulted except what the test cares about. */
export function task(over: Partial<ReportTask> & { id: string }): ReportTask {
  return {
    step: "build",
    project: "/src/app",
    worker: "w1",
    type: "shell",
    status: "succeeded",
    attempts: 1,
    exitCode: 0,
    submittedAt: T0,
    startedAt: T0 + 1000,
    finishedAt: T0 + 2000,
    output: "ok\n",
    error: null,
    ...over,
  };
}

/** The nasty text a failed task printed. */
export const NASTY_OUTPUT = "compiling a|b\n```js\nboom()\n````\n</pre><script>alert('x')</script> & \"q\"\n";

/** A finished run: 3 workers plus unassigned, one failed task with nasty output, 2 steps. */
export function smallRun(): ReportRun {
  return {
    id: "run-1",
    name: "nightly <build>",
    file: "flows/nightly.yaml",
    status: "failed",
    startedAt: T0,
    finishedAt: T0 + 245_000,
    steps: [
      { name: "build", status: "succeeded", reason: null },
      { name: "test", status: "failed", reason: "task t3 failed | exit 2\nsee log" },
    ],
    tasks: [
      task({ id: "t1", worker: "alpha", startedAt: T0 + 1000, finishedAt: T0 + 1850 }),
      task({ id: "t2", worker: "beta", startedAt: T0 + 2000, finishedAt: T0 + 14_300 }),
      task({
        id: "t3",
        step: "test",
        worker: "gamma",
        status: "failed",
        attempts: 2,
        exitCode: 2,
        startedAt: T0 + 20_000,
        finishedAt: T0 + 245_000,
        output: NASTY_OUTPUT,
        error: "exit 2 | <bad>",
      }),
      task({
        id: "t4",
        step: "test",
        worker: null,
        status: "cancelled",
        exitCode: null,
        startedAt: null,
        finishedAt: null,
        submittedAt: T0 + 30_000,
        output: null,
      }),
    ],
  };
}

/** A run still going at `T0 + 60 s`: one task done, one running, one queued. */
export function unfinishedRun(): ReportRun {
  return {
    id: "run-2",
    name: "ongoing",
    file: null,
    status: "running",
    startedAt: T0,
    finishedAt: null,
    steps: [{ name: "build", status: "running", reason: null }],
    tasks: [
      task({ id: "u1", worker: "alpha" }),
      task({
        id: "u2",
        worker: "beta",
        status: "running",
        exitCode: null,
        startedAt: T0 + 5000,
        finishedAt: null,
      }),
      task({ id: "u3", worker: null, status: "queued", exitCode: null, startedAt: null, finishedAt: null }),
    ],
  };
}

/** A run with no steps and no tasks. */
export function emptyRun(): ReportRun {
  return {
    id: "run-3",
    name: "empty",
    file: null,
    status: "succeeded",
    startedAt: T0,
    finishedAt: T0 + 10,
    steps: [],
    tasks: [],
  };
}

/** The time unfinished runs are measured up to in the tests. */
export const NOW = T0 + 60_000;
