import { describe, expect, test } from "bun:test";
import { IllegalTransitionError } from "../../../src/core/domain/errors.ts";
import {
  assertTaskTransition,
  canTransitionTask,
  FINAL_TASK_STATUSES,
  isFinal,
  isTaskStatus,
  TASK_STATUSES,
  taskTransitionsFrom,
} from "../../../src/core/domain/task-status.ts";
import type { TaskStatus } from "../../../src/core/domain/types.ts";

const ALLOWED: [TaskStatus, TaskStatus][] = [
  ["queued", "dispatched"],
  ["queued", "cancelled"],
  ["dispatched", "running"],
  ["dispatched", "queued"],
  ["dispatched", "failed"],
  ["dispatched", "cancelled"],
  ["running", "succeeded"],
  ["running", "failed"],
  ["running", "timed_out"],
  ["running", "cancelled"],
  ["failed", "queued"],
  ["timed_out", "queued"],
];

describe("task transitions", () => {
  test("lists every status and the final ones", () => {
    expect(TASK_STATUSES).toHaveLength(7);
    expect([...FINAL_TASK_STATUSES]).toEqual(["succeeded", "failed", "timed_out", "cancelled"]);
    expect(TASK_STATUSES.filter(isFinal)).toEqual([...FINAL_TASK_STATUSES]);
    expect(isFinal("queued")).toBe(false);
    expect(isFinal("dispatched")).toBe(false);
    expect(isFinal("running")).toBe(false);
  });

  test.each(ALLOWED)("%s -> %s is allowed", (from, to) => {
    expect(canTransitionTask(from, to)).toBe(true);
    expect(() => assertTaskTransition(from, to)).not.toThrow();
  });

  test("everything else is refused, staying put included", () => {
    const allowed = new Set(ALLOWED.map(([from, to]) => `${from}->${to}`));
    let refused = 0;
    for (const from of TASK_STATUSES) {
      for (const to of TASK_STATUSES) {
        if (allowed.has(`${from}->${to}`)) continue;
        refused++;
        expect(canTransitionTask(from, to)).toBe(false);
        expect(() => assertTaskTransition(from, to)).toThrow(IllegalTransitionError);
      }
    }
    expect(refused).toBe(49 - ALLOWED.length);
    expect(canTransitionTask("queued", "running")).toBe(false);
    expect(canTransitionTask("succeeded", "queued")).toBe(false);
    expect(canTransitionTask("cancelled", "queued")).toBe(false);
  });

  test("the error names both states and what is allowed", () => {
    expect(() => assertTaskTransition("queued", "running")).toThrow(
      "illegal task transition: queued -> running (from queued: dispatched, cancelled)",
    );
    expect(() => assertTaskTransition("succeeded", "running")).toThrow(
      "illegal task transition: succeeded -> running (succeeded is final)",
    );
  });

  test("isTaskStatus and taskTransitionsFrom", () => {
    expect(isTaskStatus("timed_out")).toBe(true);
    expect(isTaskStatus("done")).toBe(false);
    expect(taskTransitionsFrom("timed_out")).toEqual(["queued"]);
    expect(taskTransitionsFrom("cancelled")).toEqual([]);
  });
});
