import { describe, expect, test } from "bun:test";
import { renderReport } from "../../../../src/core/app/report/index.ts";
import { emptyRun, NASTY_OUTPUT, NOW, smallRun, unfinishedRun } from "./fixtures.ts";

describe("json report", () => {
  test("round-trips, with ISO times, durations and excerpts", () => {
    const text = renderReport(smallRun(), "json", { now: NOW });
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.split("\n")[1]).toBe('  "run": {');
    const report = JSON.parse(text);
    expect(Object.keys(report)).toEqual(["run", "summary", "steps", "tasks"]);
    expect(report.run).toEqual({
      id: "run-1",
      name: "nightly <build>",
      file: "flows/nightly.yaml",
      status: "failed",
      startedAt: "2025-01-01T00:00:00.000Z",
      finishedAt: "2025-01-01T00:04:05.000Z",
      wallMs: 245_000,
    });
    expect(report.summary.tasks.byStatus.failed).toBe(1);
    expect(report.summary.failedTasks[0].error).toBe("exit 2 | <bad>");
    expect(report.steps).toHaveLength(2);
    expect(report.tasks).toHaveLength(4);
    expect(report.tasks[2]).toEqual({
      id: "t3",
      step: "test",
      project: "/src/app",
      worker: "gamma",
      type: "shell",
      status: "failed",
      attempts: 2,
      exitCode: 2,
      submittedAt: "2025-01-01T00:00:00.000Z",
      startedAt: "2025-01-01T00:00:20.000Z",
      finishedAt: "2025-01-01T00:04:05.000Z",
      durationMs: 225_000,
      error: "exit 2 | <bad>",
      outputExcerpt: NASTY_OUTPUT,
      outputChars: NASTY_OUTPUT.length,
    });
    expect(report.tasks[3]).toMatchObject({
      startedAt: null,
      durationMs: null,
      outputExcerpt: null,
      outputChars: null,
    });
  });

  test("is stable: the same input gives the same text", () => {
    const a = renderReport(smallRun(), "json", { now: NOW });
    const b = renderReport(smallRun(), "json", { now: NOW + 99_999 });
    expect(a).toBe(b);
  });

  test("an unfinished run has a null finish and the wall time so far", () => {
    const report = JSON.parse(renderReport(unfinishedRun(), "json", { now: NOW }));
    expect(report.run.finishedAt).toBeNull();
    expect(report.run.wallMs).toBe(60_000);
    expect(report.summary.unfinished).toBe(true);
    expect(report.tasks[1].durationMs).toBeNull();
  });

  test("an empty run and a short excerpt", () => {
    const report = JSON.parse(renderReport(emptyRun(), "json", { now: NOW }));
    expect(report.tasks).toEqual([]);
    expect(report.summary.taskDurations.medianMs).toBeNull();
    const short = JSON.parse(renderReport(smallRun(), "json", { now: NOW, excerptChars: 5 }));
    expect(short.tasks[2].outputExcerpt).toBe('… "q"\n');
  });
});
