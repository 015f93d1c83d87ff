import { describe, expect, test } from "bun:test";
import type { TaskStatus } from "../../../src/core/domain/types.ts";
import type { Store } from "../../../src/core/store/index.ts";
import { makeTask, storePerTest } from "./helpers.ts";

let store: Store;
storePerTest((s) => {
  store = s;
});

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

/** A task in `status`, finished (when final) `hoursAgo` before T0 + 100 h. */
function task(status: TaskStatus, hoursAgo: number): string {
  const at = T0 + (100 - hoursAgo) * HOUR;
  const final = !["queued", "dispatched", "running"].includes(status);
  return store.tasks.insert(
    makeTask({ status, submittedAt: at - HOUR, startedAt: at - HOUR, finishedAt: final ? at : null }),
  ).id;
}

describe("store.prune", () => {
  test("old final tasks are found and deleted with their attempts; a task that is not final never is", () => {
    const cutoff = T0 + 50 * HOUR;
    const old = (["succeeded", "failed", "timed_out", "cancelled"] as const).map((s) => task(s, 80));
    const recent = task("succeeded", 10);
    const unfinished = (["queued", "dispatched", "running"] as const).map((s) => task(s, 80));
    store.attempts.add({
      taskId: old[1]!,
      attempt: 1,
      worker: "c1",
      status: "failed",
      exitCode: 1,
      startedAt: T0,
      finishedAt: T0,
      error: "x",
      output: "y",
    });
    const found = store.prune.oldTasks(cutoff).map((t) => t.id);
    expect(found.sort()).toEqual([...old].sort());
    // even when asked to, a prune leaves a task that is not final alone
    const gone = store.transaction(() => store.prune.deleteTasks([...found, ...unfinished]));
    expect(gone).toBe(4);
    for (const id of old) expect(store.tasks.get(id)).toBeNull();
    expect(store.attempts.of(old[1]!)).toEqual([]);
    expect(store.tasks.get(recent)).not.toBeNull();
    for (const id of unfinished) expect(store.tasks.get(id)).not.toBeNull();
    expect(store.prune.oldTasks(cutoff)).toEqual([]);
  });

  test("oldTasks pages by seq (a dry run walks every batch without deleting)", () => {
    const ids = Array.from({ length: 7 }, () => task("succeeded", 80));
    const first = store.prune.oldTasks(T0 + 50 * HOUR, 0);
    expect(first.map((t) => t.id)).toEqual(ids);
    expect(store.prune.oldTasks(T0 + 50 * HOUR, first[3]!.seq).map((t) => t.id)).toEqual(ids.slice(4));
  });

  test("events before the cutoff and finished runs that ended before it go; a running run stays", () => {
    for (const h of [90, 80, 10])
      store.events.append({
        at: T0 + (100 - h) * HOUR,
        kind: "task.failed",
        worker: "c1",
        task: null,
        data: {},
      });
    const run = (id: string, endedHoursAgo: number | null) => {
      const workflow = { name: id, steps: [] } as never;
      store.runs.insert(
        { id, name: id, file: null, workflow, status: "running", startedAt: T0, finishedAt: null },
        ["a"],
      );
      if (endedHoursAgo !== null) store.runs.finish(id, "succeeded", T0 + (100 - endedHoursAgo) * HOUR);
    };
    run("old-done", 80);
    run("old-running", null);
    run("new-done", 10);
    const cutoff = T0 + 50 * HOUR;
    expect(store.prune.oldEvents(cutoff, true)).toBe(2);
    expect(store.prune.oldRuns(cutoff, true)).toBe(1);
    expect(store.events.latest(10)).toHaveLength(3);
    store.transaction(() => {
      expect(store.prune.oldEvents(cutoff, false)).toBe(2);
      expect(store.prune.oldRuns(cutoff, false)).toBe(1);
    });
    expect(store.events.latest(10)).toHaveLength(1);
    expect(store.runs.get("old-done")).toBeNull();
    expect(store.runs.steps("old-done")).toEqual([]);
    expect(store.runs.get("old-running")).not.toBeNull();
    expect(store.runs.get("new-done")).not.toBeNull();
  });

  test("a workflow run's old tasks stay while the run is kept, and go once it is old too", () => {
    const workflow = { name: "w", steps: [] } as never;
    store.runs.insert(
      { id: "r1", name: "r1", file: null, workflow, status: "running", startedAt: T0, finishedAt: null },
      ["a"],
    );
    const id = store.tasks.insert(
      makeTask({ status: "succeeded", runId: "r1", step: "a", finishedAt: T0 + 10 * HOUR }),
    ).id;
    const cutoff = T0 + 50 * HOUR;
    expect(store.prune.oldTasks(cutoff)).toEqual([]);
    store.runs.finish("r1", "succeeded", T0 + 60 * HOUR);
    expect(store.prune.oldTasks(cutoff)).toEqual([]);
    store.runs.finish("r1", "succeeded", T0 + 20 * HOUR);
    expect(store.prune.oldTasks(cutoff).map((t) => t.id)).toEqual([id]);
  });

  test("a cut output's size round-trips; an uncut task has no outputBytes", () => {
    const id = task("running", 1);
    expect(store.tasks.get(id)?.outputBytes).toBeUndefined();
    store.tasks.update(id, { status: "succeeded", output: "head...tail", outputBytes: 3_000_000 });
    expect(store.tasks.get(id)?.outputBytes).toBe(3_000_000);
  });
});
