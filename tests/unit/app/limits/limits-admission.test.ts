import { describe, expect, test } from "bun:test";
import {
  canQueueTasks,
  canSpawnWorker,
  DEFAULT_LIMITS,
  type ResourceLimits,
} from "../../../../src/core/domain/limits.ts";

const w = (type: string, project = "web") => ({ type, project });
const many = (n: number, type: string, project = "web") => Array.from({ length: n }, () => w(type, project));

describe("DEFAULT_LIMITS", () => {
  test("are the documented defaults and cannot be changed", () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxWorkers: 64,
      maxWorkersPerType: {},
      maxWorkersPerProject: null,
      maxQueuedTasks: 100_000,
      maxWorkerMemoryMb: null,
      memoryPolicy: "warn",
      maxWorkerCpuPercent: null,
      cpuPolicy: "warn",
    });
    expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_LIMITS.maxWorkersPerType)).toBe(true);
  });
});

describe("canSpawnWorker", () => {
  test("maxWorkers: under and at the edge", () => {
    const limits: ResourceLimits = { ...DEFAULT_LIMITS, maxWorkers: 3 };
    expect(canSpawnWorker(limits, [], w("claude"))).toEqual({ ok: true, value: undefined });
    expect(canSpawnWorker(limits, many(2, "codex"), w("claude"))).toEqual({ ok: true, value: undefined });
    expect(canSpawnWorker(limits, many(3, "codex"), w("claude"))).toEqual({
      ok: false,
      code: "conflict",
      error: 'cannot spawn a worker of type "claude": 3 of at most 3 workers are running (maxWorkers)',
    });
    expect(canSpawnWorker(limits, many(5, "codex"), w("claude"))).toEqual({
      ok: false,
      code: "conflict",
      error: 'cannot spawn a worker of type "claude": 5 of at most 3 workers are running (maxWorkers)',
    });
    const big = canSpawnWorker({ ...DEFAULT_LIMITS, maxWorkers: 1000 }, many(1000, "x"), w("x"));
    expect(big).toEqual({
      ok: false,
      code: "conflict",
      error: 'cannot spawn a worker of type "x": 1,000 of at most 1,000 workers are running (maxWorkers)',
    });
  });

  test("maxWorkersPerType counts only that type", () => {
    const limits: ResourceLimits = { ...DEFAULT_LIMITS, maxWorkersPerType: { claude: 4 } };
    const live = [...many(3, "claude"), ...many(10, "codex")];
    expect(canSpawnWorker(limits, live, w("claude"))).toEqual({ ok: true, value: undefined });
    expect(canSpawnWorker(limits, [...live, w("claude", "api")], w("claude"))).toEqual({
      ok: false,
      code: "conflict",
      error:
        'cannot spawn a worker of type "claude": 4 of at most 4 claude workers are running (maxWorkersPerType.claude)',
    });
    const over = canSpawnWorker({ ...limits, maxWorkersPerType: { claude: 2 } }, live, w("claude"));
    expect(over.ok).toBe(false);
    if (!over.ok) expect(over.error).toContain("3 of at most 2 claude workers");
  });

  test("a type not in maxWorkersPerType has no limit of its own", () => {
    const limits: ResourceLimits = { ...DEFAULT_LIMITS, maxWorkersPerType: { claude: 1 } };
    expect(canSpawnWorker(limits, many(40, "codex"), w("codex"))).toEqual({ ok: true, value: undefined });
    expect(canSpawnWorker(limits, many(40, "constructor"), w("constructor"))).toEqual({
      ok: true,
      value: undefined,
    });
    expect(canSpawnWorker(limits, many(40, "toString"), w("toString"))).toEqual({
      ok: true,
      value: undefined,
    });
  });

  test("a type that is not an identifier is quoted in the knob", () => {
    const limits: ResourceLimits = { ...DEFAULT_LIMITS, maxWorkersPerType: { "my agent": 0 } };
    expect(canSpawnWorker(limits, [], w("my agent"))).toEqual({
      ok: false,
      code: "conflict",
      error:
        'cannot spawn a worker of type "my agent": 0 of at most 0 my agent workers are running (maxWorkersPerType["my agent"])',
    });
  });

  test("maxWorkersPerProject counts only that project; null is no limit", () => {
    const limits: ResourceLimits = { ...DEFAULT_LIMITS, maxWorkersPerProject: 2 };
    const live = [w("claude", "web"), w("codex", "api"), w("codex", "api")];
    expect(canSpawnWorker(limits, live, w("claude", "web"))).toEqual({ ok: true, value: undefined });
    expect(canSpawnWorker(limits, live, w("claude", "api"))).toEqual({
      ok: false,
      code: "conflict",
      error:
        'cannot spawn a worker of type "claude" in project "api": 2 of at most 2 workers in project "api" are running (maxWorkersPerProject)',
    });
    expect(canSpawnWorker(DEFAULT_LIMITS, many(63, "claude", "api"), w("claude", "api"))).toEqual({
      ok: true,
      value: undefined,
    });
  });

  test("the first full limit is named: total, then type, then project", () => {
    const limits: ResourceLimits = {
      ...DEFAULT_LIMITS,
      maxWorkers: 2,
      maxWorkersPerType: { claude: 2 },
      maxWorkersPerProject: 2,
    };
    const live = many(2, "claude");
    const total = canSpawnWorker(limits, live, w("claude"));
    expect(!total.ok && total.error.endsWith("(maxWorkers)")).toBe(true);
    const type = canSpawnWorker({ ...limits, maxWorkers: 9 }, live, w("claude"));
    expect(!type.ok && type.error.endsWith("(maxWorkersPerType.claude)")).toBe(true);
  });
});

describe("canQueueTasks", () => {
  const limits: ResourceLimits = { ...DEFAULT_LIMITS, maxQueuedTasks: 10 };

  test("the queue may fill up to the limit, not past it", () => {
    expect(canQueueTasks(limits, 0, 10)).toEqual({ ok: true, value: undefined });
    expect(canQueueTasks(limits, 9, 1)).toEqual({ ok: true, value: undefined });
    expect(canQueueTasks(limits, 10, 1)).toEqual({
      ok: false,
      code: "conflict",
      error: "cannot queue 1 task: 10 of at most 10 are queued (maxQueuedTasks)",
    });
    expect(canQueueTasks(limits, 0, 11)).toEqual({
      ok: false,
      code: "conflict",
      error: "cannot queue 11 tasks: 0 of at most 10 are queued (maxQueuedTasks)",
    });
  });

  test("numbers get thousands separators", () => {
    expect(canQueueTasks(DEFAULT_LIMITS, 99_950, 100)).toEqual({
      ok: false,
      code: "conflict",
      error: "cannot queue 100 tasks: 99,950 of at most 100,000 are queued (maxQueuedTasks)",
    });
    expect(canQueueTasks(DEFAULT_LIMITS, 99_950, 50)).toEqual({ ok: true, value: undefined });
  });

  test("adding none is allowed even over the limit; a bad count throws", () => {
    expect(canQueueTasks(limits, 12, 0)).toEqual({ ok: true, value: undefined });
    expect(() => canQueueTasks(limits, 0, -1)).toThrow("adding=-1: expected a whole number >= 0");
    expect(() => canQueueTasks(limits, 0, 1.5)).toThrow("adding=1.5");
  });
});
