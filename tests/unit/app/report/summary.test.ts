import { describe, expect, test } from "bun:test";
import { formatDuration, summarizeRun } from "../../../../src/core/app/report/index.ts";
import { emptyRun, NOW, smallRun, T0, task, unfinishedRun } from "./fixtures.ts";

describe("formatDuration", () => {
  test("ms, seconds with one decimal, minutes with padded seconds, hours", () => {
    expect(formatDuration(0)).toBe("0 ms");
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(999.6)).toBe("1.0 s");
    expect(formatDuration(12_345)).toBe("12.3 s");
    expect(formatDuration(59_960)).toBe("1 min 00 s");
    expect(formatDuration(245_000)).toBe("4 min 05 s");
    expect(formatDuration(3_599_600)).toBe("1 h 00 min");
    expect(formatDuration(7_380_000)).toBe("2 h 03 min");
    expect(formatDuration(-850)).toBe("-850 ms");
  });

  test("rejects what is not a number", () => {
    expect(() => formatDuration(Number.NaN)).toThrow("duration NaN");
  });
});

describe("summarizeRun", () => {
  test("counts, durations, wall time and failures of a finished run", () => {
    const s = summarizeRun(smallRun(), NOW);
    expect(s.wallMs).toBe(245_000);
    expect(s.unfinished).toBe(false);
    expect(s.tasks).toEqual({
      total: 4,
      byStatus: { queued: 0, dispatched: 0, running: 0, succeeded: 2, failed: 1, timed_out: 0, cancelled: 1 },
    });
    expect(s.steps.byStatus).toEqual({
      pending: 0,
      running: 0,
      succeeded: 1,
      failed: 1,
      skipped: 0,
      cancelled: 0,
    });
    expect(s.taskDurations).toEqual({
      count: 3,
      totalMs: 850 + 12_300 + 225_000,
      medianMs: 12_300,
      maxMs: 225_000,
    });
    expect(s.failedTasks).toEqual([
      {
        id: "t3",
        step: "test",
        project: "/src/app",
        worker: "gamma",
        status: "failed",
        exitCode: 2,
        error: "exit 2 | <bad>",
      },
    ]);
  });

  test("an unfinished run is measured up to now; running tasks are not in the durations", () => {
    const s = summarizeRun(unfinishedRun(), NOW);
    expect(s.wallMs).toBe(60_000);
    expect(s.unfinished).toBe(true);
    expect(s.taskDurations.count).toBe(1);
  });

  test("median of an even count is the mean of the middle two; timed-out tasks count as failed", () => {
    const run = emptyRun();
    run.tasks = [
      task({ id: "a", startedAt: T0, finishedAt: T0 + 100 }),
      task({ id: "b", startedAt: T0, finishedAt: T0 + 301, status: "timed_out" }),
    ];
    const s = summarizeRun(run, NOW);
    expect(s.taskDurations.medianMs).toBe(201);
    expect(s.failedTasks.map((t) => t.id)).toEqual(["b"]);
  });

  test("an empty run", () => {
    const s = summarizeRun(emptyRun(), NOW);
    expect(s.tasks.total).toBe(0);
    expect(s.taskDurations).toEqual({ count: 0, totalMs: 0, medianMs: null, maxMs: null });
    expect(s.failedTasks).toEqual([]);
    expect(s.wallMs).toBe(10);
  });
});
