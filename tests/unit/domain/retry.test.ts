import { describe, expect, test } from "bun:test";
import { DEFAULT_CONFIG } from "../../../src/core/domain/config.ts";
import {
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  retryDecision,
  retryPolicyFromConfig,
} from "../../../src/core/domain/retry.ts";

describe("retryDecision", () => {
  test("the seed's defaults", () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({
      maxRetries: 3,
      backoffFactor: 2,
      baseDelayMs: 1000,
      maxDelayMs: 60000,
    });
  });

  test("1 initial attempt + 3 retries, waits doubling", () => {
    expect(retryDecision(DEFAULT_RETRY_POLICY, 1, "exit 1")).toEqual({ retry: true, delayMs: 1000 });
    expect(retryDecision(DEFAULT_RETRY_POLICY, 2, "exit 1")).toEqual({ retry: true, delayMs: 2000 });
    expect(retryDecision(DEFAULT_RETRY_POLICY, 3, "exit 1")).toEqual({ retry: true, delayMs: 4000 });
    expect(retryDecision(DEFAULT_RETRY_POLICY, 4, "exit 1")).toEqual({
      retry: false,
      reason: "gave up after 4 attempts: exit 1",
    });
    expect(retryDecision(DEFAULT_RETRY_POLICY, 9, "timed out after 30 s")).toEqual({
      retry: false,
      reason: "gave up after 9 attempts: timed out after 30 s",
    });
  });

  test("delays are capped", () => {
    const policy: RetryPolicy = { maxRetries: 20, backoffFactor: 3, baseDelayMs: 500, maxDelayMs: 10_000 };
    expect(retryDecision(policy, 3, "x")).toEqual({ retry: true, delayMs: 4500 });
    expect(retryDecision(policy, 4, "x")).toEqual({ retry: true, delayMs: 10_000 });
    expect(retryDecision(policy, 20, "x")).toEqual({ retry: true, delayMs: 10_000 });
    const huge: RetryPolicy = { maxRetries: 5000, backoffFactor: 10, baseDelayMs: 1000, maxDelayMs: 60_000 };
    expect(retryDecision(huge, 4000, "x")).toEqual({ retry: true, delayMs: 60_000 });
  });

  test("factor 1 keeps the delay; fractional delays are rounded", () => {
    const flat: RetryPolicy = { maxRetries: 3, backoffFactor: 1, baseDelayMs: 250, maxDelayMs: 1000 };
    expect(retryDecision(flat, 3, "x")).toEqual({ retry: true, delayMs: 250 });
    const odd: RetryPolicy = { maxRetries: 3, backoffFactor: 1.5, baseDelayMs: 333, maxDelayMs: 10_000 };
    expect(retryDecision(odd, 2, "x")).toEqual({ retry: true, delayMs: 500 });
  });

  test("no retries at all", () => {
    const none: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxRetries: 0 };
    expect(retryDecision(none, 1, "exit 2")).toEqual({
      retry: false,
      reason: "gave up after 1 attempt: exit 2",
    });
  });

  test("attemptsMade below 1 is a bug", () => {
    expect(() => retryDecision(DEFAULT_RETRY_POLICY, 0, "x")).toThrow(
      "attemptsMade=0: expected a whole number >= 1",
    );
    expect(() => retryDecision(DEFAULT_RETRY_POLICY, 1.5, "x")).toThrow(RangeError);
  });

  test("retryPolicyFromConfig", () => {
    expect(retryPolicyFromConfig(DEFAULT_CONFIG)).toEqual(DEFAULT_RETRY_POLICY);
    expect(retryPolicyFromConfig({ maxRetryCount: 5, retryBackoffFactor: 3 })).toEqual({
      maxRetries: 5,
      backoffFactor: 3,
      baseDelayMs: 1000,
      maxDelayMs: 60_000,
    });
  });
});
