import { describe, expect, test } from "bun:test";
import { type HealthObservation, judgeWorker, restartAllowed } from "../../../src/core/domain/health.ts";

const alive: HealthObservation = {
  knownDead: false,
  paneExists: true,
  paneDead: false,
  deadStatus: null,
  processAlive: true,
  busySince: null,
  lastOutputAt: null,
};

describe("judgeWorker", () => {
  test("an idle worker with a live pane and process is healthy", () => {
    expect(judgeWorker(alive, 10_000, 600_000)).toEqual({ verdict: "healthy", reason: "idle" });
  });

  test("a missing pane, an exited agent or a vanished process is dead, with the reason", () => {
    expect(judgeWorker({ ...alive, paneExists: false }, 0, 1).reason).toBe("its tmux pane is gone");
    expect(judgeWorker({ ...alive, paneDead: true, deadStatus: "137" }, 0, 1)).toEqual({
      verdict: "dead",
      reason: "agent exited with status 137",
    });
    expect(judgeWorker({ ...alive, paneDead: true, deadStatus: null, deadSignal: "9" }, 0, 1).reason).toBe(
      "agent killed by signal 9 (SIGKILL)",
    );
    expect(judgeWorker({ ...alive, processAlive: false }, 0, 1).verdict).toBe("dead");
    expect(judgeWorker({ ...alive, knownDead: true }, 0, 1).verdict).toBe("dead");
  });

  test("a task with no output for the limit is stuck; recent output keeps it healthy", () => {
    const busy = { ...alive, busySince: 1_000, lastOutputAt: 5_000 };
    expect(judgeWorker(busy, 5_000 + 599_999, 600_000).verdict).toBe("healthy");
    expect(judgeWorker(busy, 5_000 + 600_000, 600_000)).toEqual({
      verdict: "stuck",
      reason: "no output for 600 s while running a task (limit 600 s)",
    });
  });

  test("output from before the task does not count as the task's progress", () => {
    const busy = { ...alive, busySince: 10_000, lastOutputAt: 1_000 };
    expect(judgeWorker(busy, 10_000 + 59_000, 60_000).verdict).toBe("healthy");
    expect(judgeWorker(busy, 10_000 + 60_000, 60_000).verdict).toBe("stuck");
  });
});

describe("restartAllowed", () => {
  test("counts only the restarts inside the window", () => {
    expect(restartAllowed([], 0, 1, 1_000)).toBe(true);
    expect(restartAllowed([100, 200, 300], 1_000, 3, 1_000)).toBe(false);
    expect(restartAllowed([100, 200, 300], 1_101, 3, 1_000)).toBe(true);
  });

  test("max 0 never allows a restart", () => {
    expect(restartAllowed([], 0, 0, 1_000)).toBe(false);
  });
});
