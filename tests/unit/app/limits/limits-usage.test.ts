import { describe, expect, test } from "bun:test";
import { DEFAULT_LIMITS, limitBreaches, type ResourceLimits } from "../../../../src/core/domain/limits.ts";

const MB = 1024 * 1024;
const sample = (at: number, rssMb: number, cpuMs: number) => ({ at, rssBytes: rssMb * MB, cpuMs });

describe("limitBreaches: memory", () => {
  const limits: ResourceLimits = { ...DEFAULT_LIMITS, maxWorkerMemoryMb: 512, memoryPolicy: "restart" };

  test("under and at the limit is fine, over is a breach with the policy", () => {
    expect(limitBreaches(limits, null, sample(0, 100, 0))).toEqual([]);
    expect(limitBreaches(limits, null, sample(0, 512, 0))).toEqual([]);
    expect(limitBreaches(limits, null, sample(0, 812, 0))).toEqual([
      {
        limit: "memory",
        value: 812,
        max: 512,
        policy: "restart",
        message: "memory 812 MB over the limit of 512 MB (maxWorkerMemoryMb); policy restart",
      },
    ]);
  });

  test("values are rounded to one decimal before comparing", () => {
    expect(limitBreaches(limits, null, { at: 0, rssBytes: 512 * MB + 1000, cpuMs: 0 })).toEqual([]);
    const just = limitBreaches(limits, null, { at: 0, rssBytes: 512.1 * MB, cpuMs: 0 });
    expect(just.map((b) => b.message)).toEqual([
      "memory 512.1 MB over the limit of 512 MB (maxWorkerMemoryMb); policy restart",
    ]);
    const big = limitBreaches({ ...limits, maxWorkerMemoryMb: 2048 }, null, sample(0, 4096, 0));
    expect(big[0]?.message).toBe(
      "memory 4,096 MB over the limit of 2,048 MB (maxWorkerMemoryMb); policy restart",
    );
  });

  test("null turns the limit off", () => {
    expect(limitBreaches(DEFAULT_LIMITS, sample(0, 0, 0), sample(5000, 1_000_000, 5000))).toEqual([]);
  });
});

describe("limitBreaches: cpu", () => {
  const limits: ResourceLimits = { ...DEFAULT_LIMITS, maxWorkerCpuPercent: 200, cpuPolicy: "kill" };

  test("CPU% is CPU time over wall time, of one core", () => {
    // 5 s of CPU in 2 s: 250%
    expect(limitBreaches(limits, sample(10_000, 1, 1000), sample(12_000, 1, 6000))).toEqual([
      {
        limit: "cpu",
        value: 250,
        max: 200,
        policy: "kill",
        message: "cpu 250% over the limit of 200% (maxWorkerCpuPercent); policy kill",
      },
    ]);
    // 50% of a 4 s window
    const half = limitBreaches(
      { ...limits, maxWorkerCpuPercent: 40 },
      sample(0, 1, 0),
      sample(4000, 1, 2000),
    );
    expect(half.map((b) => b.value)).toEqual([50]);
  });

  test("at and under the limit is fine", () => {
    expect(limitBreaches(limits, sample(0, 1, 0), sample(1000, 1, 2000))).toEqual([]); // exactly 200%
    expect(limitBreaches(limits, sample(0, 1, 0), sample(1000, 1, 1999))).toEqual([]);
    expect(limitBreaches(limits, sample(0, 1, 0), sample(1000, 1, 2001))).toEqual([
      expect.objectContaining({ limit: "cpu", value: 200.1 }),
    ]);
  });

  test("no CPU breach without a previous sample, or one less than 1 s earlier", () => {
    expect(limitBreaches(limits, null, sample(10_000, 1, 1_000_000))).toEqual([]);
    expect(limitBreaches(limits, sample(0, 1, 0), sample(999, 1, 10_000))).toEqual([]);
    expect(limitBreaches(limits, sample(0, 1, 0), sample(1000, 1, 10_000))).toHaveLength(1);
  });

  test("CPU time that went down (a child exited) counts as 0%", () => {
    expect(
      limitBreaches({ ...limits, maxWorkerCpuPercent: 0 }, sample(0, 1, 9000), sample(2000, 1, 10)),
    ).toEqual([]);
  });

  test("memory and CPU can both be over, each with its own policy", () => {
    const both: ResourceLimits = { ...limits, maxWorkerMemoryMb: 100, memoryPolicy: "warn" };
    const breaches = limitBreaches(both, sample(0, 50, 0), sample(1000, 150, 3000));
    expect(breaches.map((b) => [b.limit, b.policy])).toEqual([
      ["memory", "warn"],
      ["cpu", "kill"],
    ]);
  });
});
