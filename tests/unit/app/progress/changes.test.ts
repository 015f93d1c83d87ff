import { describe, expect, test } from "bun:test";
import { ChangeTracker } from "../../../../src/cli/progress/changes.ts";
import { run, step, T0, task } from "./fixtures.ts";

/** The changes as short strings: kind, name and status. */
function summary(tracker: ChangeTracker, model: Parameters<ChangeTracker["changes"]>[0]): string[] {
  return tracker.changes(model).map((c) => {
    if (c.kind === "run") return `run ${c.run.status}${c.final ? " final" : ""}`;
    if (c.kind === "step") return `step ${c.step.name} ${c.step.status}`;
    return `task ${c.task.id} ${c.task.status}${c.retry ? " retry" : ""}`;
  });
}

describe("ChangeTracker", () => {
  test("pending steps and queued or dispatched tasks seen for the first time are not changes", () => {
    const tracker = new ChangeTracker();
    const model = run([
      step("a", "pending"),
      step("b", "running", [task("q"), task("d", { status: "dispatched" })]),
    ]);
    expect(summary(tracker, model)).toEqual(["run running", "step b running"]);
    expect(summary(tracker, model)).toEqual([]);
  });

  test("a first attempt is not a retry; a later one is, whatever the status", () => {
    const tracker = new ChangeTracker();
    summary(tracker, run([step("s", "running", [task("t", { attempts: 0 })])]));
    expect(
      summary(tracker, run([step("s", "running", [task("t", { status: "dispatched", attempts: 1 })])])),
    ).toEqual([]);
    expect(
      summary(tracker, run([step("s", "running", [task("t", { status: "dispatched", attempts: 2 })])])),
    ).toEqual(["task t dispatched retry"]);
  });

  test("a step's end comes after its tasks, a run's end after everything", () => {
    const tracker = new ChangeTracker();
    const done = task("t", { status: "succeeded", attempts: 1, startedAt: T0, finishedAt: T0 + 1 });
    expect(summary(tracker, run([step("s", "succeeded", [done])], { status: "succeeded" }))).toEqual([
      "task t succeeded",
      "step s succeeded",
      "run succeeded final",
    ]);
  });
});
