import { IsaraError } from "@isara/core";

/**
 * How a stage retries a message whose handling failed with a retryable error (core's
 * `IsaraError.retryable`). Retries happen in place, without committing, so the message (and
 * everything behind it on its partition) waits.
 *
 * The handler's own retryable failures (the LLM or a store is down, a timeout) are bounded: after
 * `attempts` tries the message is dead-lettered, so one message cannot stall its partition for ever.
 * A broker outage (kafka-kit's `isBrokerOutage`: publishing the results failed, Kafka restarting) is
 * not bounded: it is not the message's fault, and a dead letter could not be written either, so the
 * stage waits for the broker with the same backoff (capped at `maxDelayMs`) until it is back or the
 * service shuts down. See docs/topics.md, "Failures".
 */
export interface RetryPolicy {
  /** Tries in all, the first included (1 = no retry), counting the handler's own failures only. */
  readonly attempts: number;
  /** Wait after the first failed try. */
  readonly initialDelayMs: number;
  /** Longest wait between two tries; the wait doubles up to it. */
  readonly maxDelayMs: number;
}

/** 8 tries, waiting 1, 2, 4, 8, 16, 32 and 60 s: about two minutes for an LLM server to come back. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 8, initialDelayMs: 1000, maxDelayMs: 60_000 };

/**
 * Milliseconds to wait after failed try number `attempt` (1-based): `initialDelayMs * 2^(attempt-1)`,
 * capped at `maxDelayMs`. No jitter: one replica retries one message at a time, so there is no herd
 * to spread, and a fixed schedule is easier to reason about in logs.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
}

/**
 * The policy, checked: `attempts` an integer from 1 to 1000, delays non-negative integers with
 * `initialDelayMs <= maxDelayMs`.
 * @throws IsaraError `invalid_argument` listing every problem.
 */
export function checkRetryPolicy(policy: RetryPolicy): RetryPolicy {
  const problems: string[] = [];
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1 || policy.attempts > 1000) {
    problems.push(`attempts must be an integer from 1 to 1000, got ${policy.attempts}`);
  }
  for (const name of ["initialDelayMs", "maxDelayMs"] as const) {
    const value = policy[name];
    if (!Number.isInteger(value) || value < 0)
      problems.push(`${name} must be a whole number >= 0, got ${value}`);
  }
  if (policy.initialDelayMs > policy.maxDelayMs) {
    problems.push(
      `initialDelayMs (${policy.initialDelayMs}) must not exceed maxDelayMs (${policy.maxDelayMs})`,
    );
  }
  if (problems.length > 0) {
    throw new IsaraError("invalid_argument", `invalid retry policy: ${problems.join("; ")}`, problems);
  }
  return policy;
}
