/** Builders of progress models and a capturing output, shared by the progress view tests. */
import type {
  ProgressOut,
  ProgressRun,
  ProgressStep,
  ProgressStepStatus,
  ProgressTask,
} from "../../../../src/cli/progress/model.ts";

/** 2025-01-01 12:00:00 local time. */
export const T0 = new Date(2025, 0, 1, 12, 0, 0).getTime();

/** A task, queued by default. */
export function task(id: string, over: Partial<ProgressTask> = {}): ProgressTask {
  return {
    id,
    label: id,
    status: "queued",
    attempts: 0,
    startedAt: null,
    finishedAt: null,
    error: null,
    ...over,
  };
}

/** A step. */
export function step(
  name: string,
  status: ProgressStepStatus,
  tasks: ProgressTask[] = [],
  reason: string | null = null,
): ProgressStep {
  return { name, status, reason, tasks };
}

/** A running run named "ci" with these steps. */
export function run(steps: ProgressStep[], over: Partial<ProgressRun> = {}): ProgressRun {
  return { id: "run-1", name: "ci", status: "running", startedAt: T0, finishedAt: null, steps, ...over };
}

/** An output that keeps every write. */
export function capture(columns = 80, rows = 24): { out: ProgressOut; writes: string[]; text: () => string } {
  const writes: string[] = [];
  return { out: { write: (s) => writes.push(s), columns, rows }, writes, text: () => writes.join("") };
}

/**
 * A small run told in seven snapshots, each with the number of changes it brings: a step
 * "build" with one task labelled like the step, a step "test" with two tasks, one retried,
 * and a step "deploy" that is skipped. The last snapshot repeats the one before.
 */
export function scenario(): { model: ProgressRun; now: number; changes: number }[] {
  const s = (n: number) => T0 + n * 1000;
  const build = (t: Partial<ProgressTask>, status: ProgressStepStatus) =>
    step("build", status, [task("b1", { label: "build", attempts: 1, startedAt: s(0), ...t })]);
  const test = (json: Partial<ProgressTask>, web: Partial<ProgressTask>) =>
    step("test", "running", [
      task("j1", { label: "json-node", ...json }),
      task("w1", { label: "web", ...web }),
    ]);
  const buildDone = build({ status: "succeeded", finishedAt: s(1.2) }, "succeeded");
  const ended = [
    buildDone,
    {
      ...test(
        { status: "succeeded", attempts: 2, startedAt: s(4), finishedAt: s(5) },
        { status: "succeeded", attempts: 1, startedAt: s(3), finishedAt: s(4) },
      ),
      status: "succeeded" as const,
    },
    step("deploy", "skipped", [], "manual"),
  ];
  return [
    {
      model: run([
        build({ status: "running" }, "running"),
        step("test", "pending"),
        step("deploy", "pending"),
      ]),
      now: s(0),
      changes: 3, // run started, step build started, build started
    },
    {
      model: run([buildDone, test({}, {}), step("deploy", "pending")]),
      now: s(2),
      changes: 3, // build succeeded, step build succeeded, step test started
    },
    {
      model: run([
        buildDone,
        test({ status: "running", attempts: 1, startedAt: s(2) }, { status: "dispatched", attempts: 1 }),
        step("deploy", "pending"),
      ]),
      now: s(3),
      changes: 1, // json-node started (web dispatched is not a change)
    },
    {
      model: run([
        buildDone,
        test(
          { status: "queued", attempts: 2, startedAt: s(2), error: "exit 1" },
          { status: "running", attempts: 1, startedAt: s(3) },
        ),
        step("deploy", "pending"),
      ]),
      now: s(3.5),
      changes: 2, // json-node retrying, web started
    },
    {
      model: run([
        buildDone,
        test(
          { status: "running", attempts: 2, startedAt: s(4) },
          { status: "succeeded", attempts: 1, startedAt: s(3), finishedAt: s(4) },
        ),
        step("deploy", "pending"),
      ]),
      now: s(4),
      changes: 2, // json-node started (attempt 2), web succeeded
    },
    {
      model: run(ended, { status: "succeeded", finishedAt: s(6) }),
      now: s(6),
      changes: 4, // json-node succeeded, step test succeeded, step deploy skipped, run succeeded
    },
    { model: run(ended, { status: "succeeded", finishedAt: s(6) }), now: s(7), changes: 0 },
  ];
}
