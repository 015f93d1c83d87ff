import type { Config } from "./config.ts";

/** How a failed or timed-out task is retried: the seed's MAX_RETRY_COUNT and RETRY_BACKOFF_FACTOR. */
export interface RetryPolicy {
  /** Retries after the first attempt; a task runs at most `1 + maxRetries` times. */
  maxRetries: number;
  /** Each retry waits this many times longer than the one before. */
  backoffFactor: number;
  /** The wait before the first retry, in milliseconds. */
  baseDelayMs: number;
  /** No wait is longer than this, in milliseconds. */
  maxDelayMs: number;
}

/**
 * The seed's policy: 3 retries, waits of 1 s, 2 s, 4 s (never more than 60 s).
 *
 * @example
 * ```ts
 * retryDecision(DEFAULT_RETRY_POLICY, 1, "exit 1"); // { retry: true, delayMs: 1000 }
 * ```
 */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxRetries: 3,
  backoffFactor: 2,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
};

/** What {@link retryDecision} returns. */
export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

/**
 * Decides what happens after an attempt failed: retry after `delayMs`, or give up.
 * `attemptsMade` counts the attempts so far, the one that just failed included (so it is at
 * least 1). The wait is `baseDelayMs * backoffFactor ** (attemptsMade - 1)`, at most
 * `maxDelayMs`, rounded to whole milliseconds. Once `attemptsMade > maxRetries` there is no
 * retry and the reason names the attempts and the last failure.
 *
 * @example
 * ```ts
 * retryDecision(DEFAULT_RETRY_POLICY, 3, "exit 1"); // { retry: true, delayMs: 4000 }
 * retryDecision(DEFAULT_RETRY_POLICY, 4, "exit 1");
 * // { retry: false, reason: "gave up after 4 attempts: exit 1" }
 * ```
 */
export function retryDecision(policy: RetryPolicy, attemptsMade: number, reason: string): RetryDecision {
  if (!Number.isSafeInteger(attemptsMade) || attemptsMade < 1) {
    throw new RangeError(`attemptsMade=${attemptsMade}: expected a whole number >= 1`);
  }
  if (attemptsMade > policy.maxRetries) {
    const attempts = attemptsMade === 1 ? "1 attempt" : `${attemptsMade} attempts`;
    return { retry: false, reason: `gave up after ${attempts}: ${reason}` };
  }
  const delay = policy.baseDelayMs * policy.backoffFactor ** (attemptsMade - 1);
  return { retry: true, delayMs: Math.round(Math.min(delay, policy.maxDelayMs)) };
}

/**
 * The retry policy a resolved config asks for; the delays keep their defaults.
 *
 * @example
 * ```ts
 * retryPolicyFromConfig({ maxRetryCount: 5, retryBackoffFactor: 3 });
 * // { maxRetries: 5, backoffFactor: 3, baseDelayMs: 1000, maxDelayMs: 60000 }
 * ```
 */
export function retryPolicyFromConfig(
  config: Pick<Config, "maxRetryCount" | "retryBackoffFactor">,
): RetryPolicy {
  return {
    ...DEFAULT_RETRY_POLICY,
    maxRetries: config.maxRetryCount,
    backoffFactor: config.retryBackoffFactor,
  };
}
