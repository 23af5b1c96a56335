import type { Rng } from "@isara/core";

/** What {@link retryDelay} needs from the retry policy. */
export interface BackoffPolicy {
  /** Cap of the delay after the first failed attempt, in ms; doubled per further attempt. */
  readonly baseMs: number;
  /** Largest cap, in ms. */
  readonly maxMs: number;
  /** Longest `Retry-After` honoured, in ms. */
  readonly maxRetryAfterMs: number;
  /** Jitter source in [0, 1). */
  readonly random: Rng;
}

/**
 * Milliseconds to wait after failed attempt number `attempt` (1-based). A server's `Retry-After`
 * (already in ms) is honoured, cut to `maxRetryAfterMs` so a misconfigured server cannot park a run
 * for an hour. Otherwise "full jitter": a uniform draw in [0, min(maxMs, baseMs * 2^(attempt-1))).
 * Full jitter rather than a fixed doubling because many workers share one server: after an outage,
 * fixed delays make them all retry in the same instant and knock it over again.
 */
export function retryDelay(attempt: number, policy: BackoffPolicy, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const draw = policy.random.next();
  const unit = Number.isFinite(draw) ? Math.min(Math.max(draw, 0), 1) : 0;
  return Math.floor(unit * cap);
}

/**
 * A `Retry-After` header value in ms: either delay-seconds (`"3"`, `"1.5"` as some servers send) or
 * an HTTP date, measured from `nowMs`. `undefined` when absent or unreadable, so a junk header falls
 * back to the normal backoff instead of failing the request.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
