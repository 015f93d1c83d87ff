import { describe, expect, test } from "bun:test";
import { IllegalTransitionError } from "../../../src/core/domain/errors.ts";
import type { WorkerState } from "../../../src/core/domain/types.ts";
import {
  assertWorkerTransition,
  canTransitionWorker,
  isWorkerState,
  WORKER_STATES,
  workerTransitionsFrom,
} from "../../../src/core/domain/worker-state.ts";

const ALLOWED: [WorkerState, WorkerState][] = [
  ["idle", "running"],
  ["running", "idle"],
  ["running", "waiting_input"],
  ["waiting_input", "running"],
  ["waiting_input", "idle"],
  ["idle", "error"],
  ["running", "error"],
  ["waiting_input", "error"],
  ["dead", "error"],
  ["idle", "dead"],
  ["running", "dead"],
  ["waiting_input", "dead"],
  ["error", "dead"],
  ["dead", "idle"],
  ["error", "idle"],
  ["running", "rate_limited"],
  ["waiting_input", "rate_limited"],
  ["rate_limited", "running"],
  ["rate_limited", "idle"],
  ["rate_limited", "error"],
  ["rate_limited", "dead"],
];

describe("worker transitions", () => {
  test("lists every state", () => {
    expect([...WORKER_STATES]).toEqual(["idle", "running", "waiting_input", "rate_limited", "error", "dead"]);
  });

  test.each(ALLOWED)("%s -> %s is allowed", (from, to) => {
    expect(canTransitionWorker(from, to)).toBe(true);
    expect(() => assertWorkerTransition(from, to)).not.toThrow();
  });

  test("everything else is refused, staying put included", () => {
    const allowed = new Set(ALLOWED.map(([from, to]) => `${from}->${to}`));
    for (const from of WORKER_STATES) {
      for (const to of WORKER_STATES) {
        if (allowed.has(`${from}->${to}`)) continue;
        expect(canTransitionWorker(from, to)).toBe(false);
        expect(() => assertWorkerTransition(from, to)).toThrow(IllegalTransitionError);
      }
    }
    expect(canTransitionWorker("idle", "idle")).toBe(false);
    expect(canTransitionWorker("idle", "waiting_input")).toBe(false);
    expect(canTransitionWorker("error", "running")).toBe(false);
  });

  test("the error names both states and the way out", () => {
    expect(() => assertWorkerTransition("dead", "running")).toThrow(
      "illegal worker transition: dead -> running (from dead: idle, error)",
    );
    try {
      assertWorkerTransition("error", "error");
      throw new Error("unreachable");
    } catch (err) {
      expect(err).toBeInstanceOf(IllegalTransitionError);
      const e = err as IllegalTransitionError;
      expect(e.name).toBe("IllegalTransitionError");
      expect([e.kind, e.from, e.to]).toEqual(["worker", "error", "error"]);
      expect(e.allowed).toEqual(["idle", "dead"]);
    }
  });

  test("isWorkerState and workerTransitionsFrom", () => {
    expect(isWorkerState("waiting_input")).toBe(true);
    expect(isWorkerState("busy")).toBe(false);
    expect(workerTransitionsFrom("dead")).toEqual(["idle", "error"]);
  });
});
