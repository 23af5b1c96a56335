import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { checkRetryPolicy, DEFAULT_RETRY_POLICY, retryDelayMs } from "./retry-policy.js";

test("the wait doubles after each failed try and stops growing at the cap", () => {
  const waits = [1, 2, 3, 4, 5, 6, 7].map((attempt) => retryDelayMs(DEFAULT_RETRY_POLICY, attempt));
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000]);
  assert.equal(retryDelayMs(DEFAULT_RETRY_POLICY, 500), 60_000, "a huge attempt count does not overflow");
});

test("a policy that cannot work is refused with every problem", () => {
  assert.throws(
    () => checkRetryPolicy({ attempts: 0, initialDelayMs: 5000, maxDelayMs: 100 }),
    (err: unknown) =>
      isIsaraError(err, "invalid_argument") &&
      /attempts must be an integer from 1 to 1000/.test(err.message) &&
      /initialDelayMs \(5000\) must not exceed maxDelayMs \(100\)/.test(err.message),
  );
  assert.equal(checkRetryPolicy(DEFAULT_RETRY_POLICY), DEFAULT_RETRY_POLICY);
});
