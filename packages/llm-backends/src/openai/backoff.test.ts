import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type BackoffPolicy, parseRetryAfter, retryDelay } from "./backoff.js";

const policy = (draw: number): BackoffPolicy => ({
  baseMs: 100,
  maxMs: 1000,
  maxRetryAfterMs: 5000,
  random: { next: () => draw },
});

describe("retryDelay", () => {
  it("draws uniformly below a cap that doubles per attempt (full jitter)", () => {
    assert.equal(retryDelay(1, policy(0.5)), 50);
    assert.equal(retryDelay(2, policy(0.5)), 100);
    assert.equal(retryDelay(3, policy(0.5)), 200);
    assert.equal(retryDelay(3, policy(0)), 0);
  });

  it("never lets the cap grow past maxMs, however many attempts failed", () => {
    assert.equal(retryDelay(30, policy(0.999)), 999);
  });

  it("waits what the server's Retry-After asks, cut to maxRetryAfterMs", () => {
    assert.equal(retryDelay(1, policy(0), 2000), 2000);
    assert.equal(retryDelay(1, policy(0), 3_600_000), 5000);
  });

  it("keeps a broken random source from producing a negative or endless delay", () => {
    assert.equal(retryDelay(1, policy(Number.NaN)), 0);
    assert.equal(retryDelay(1, policy(-3)), 0);
    assert.equal(retryDelay(1, policy(7)), 100);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");

  it("reads delay-seconds, whole or fractional, as milliseconds", () => {
    assert.equal(parseRetryAfter("3", now), 3000);
    assert.equal(parseRetryAfter(" 1.5 ", now), 1500);
    assert.equal(parseRetryAfter("0", now), 0);
  });

  it("reads an HTTP date as the time left until then, never negative", () => {
    assert.equal(parseRetryAfter("Wed, 01 Jan 2025 00:00:10 GMT", now), 10_000);
    assert.equal(parseRetryAfter("Tue, 31 Dec 2024 23:00:00 GMT", now), 0);
  });

  it("ignores a missing or unreadable header so the normal backoff applies", () => {
    assert.equal(parseRetryAfter(null, now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter("-5", now), undefined);
    assert.equal(parseRetryAfter("soon", now), undefined);
  });
});
