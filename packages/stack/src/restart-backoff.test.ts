import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_RESTART_POLICY, nextBackoff, restartDelay } from "./restart-backoff.js";

describe("restart backoff", () => {
  it("doubles from 1 s and stays at the 30 s cap", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 50].map((n) => restartDelay(DEFAULT_RESTART_POLICY, n));
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it("grows while a process keeps crashing soon after its start", () => {
    let crashes = 0;
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const step = nextBackoff(DEFAULT_RESTART_POLICY, crashes, 500);
      crashes = step.crashesInARow;
      delays.push(step.delayMs);
    }
    assert.deepEqual(delays, [1000, 2000, 4000, 8000]);
    assert.equal(crashes, 4);
  });

  it("starts again from the shortest delay after the process stayed up long enough", () => {
    const step = nextBackoff(DEFAULT_RESTART_POLICY, 6, DEFAULT_RESTART_POLICY.resetAfterMs);
    assert.deepEqual(step, { delayMs: 1000, crashesInARow: 1 });
    assert.equal(nextBackoff(DEFAULT_RESTART_POLICY, 6, 59_999).delayMs, 30_000);
  });

  it("follows a caller's policy (tests use short delays)", () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 250, resetAfterMs: 1000 };
    assert.deepEqual(
      [1, 2, 3].map((n) => restartDelay(policy, n)),
      [100, 200, 250],
    );
  });
});
