import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "./errors.js";
import { lossSummary, MAX_LOSS_POINTS } from "./loss-summary.js";

/** Losses 0, 1, 2, ... n-1: a bucket's mean is the middle of its steps, so bucket bounds show. */
const ramp = (n: number) => Array.from({ length: n }, (_, i) => i);

test("a curve of at most the limit is reported as it is, as a copy", () => {
  const losses = [4.2, 3.1, 2.5];
  const summary = lossSummary(losses);
  assert.deepEqual(summary, losses);
  assert.notEqual(summary, losses);
  assert.deepEqual(lossSummary(ramp(MAX_LOSS_POINTS)), ramp(MAX_LOSS_POINTS));
  assert.deepEqual(lossSummary([]), []);
});

test("a long curve has exactly the limit of points, the first and last steps kept as they are", () => {
  const losses = Array.from({ length: 100_000 }, (_, i) => 4 / (1 + i / 50));
  const summary = lossSummary(losses);
  assert.equal(summary.length, MAX_LOSS_POINTS);
  assert.equal(summary[0], losses[0]);
  assert.equal(summary.at(-1), losses.at(-1));
  for (let i = 1; i < summary.length; i++) {
    assert.ok((summary[i] as number) < (summary[i - 1] as number), "a falling curve still falls");
  }
});

test("the steps in between are averaged in evenly sized buckets", () => {
  // 12 steps into 6 points: the first, 4 buckets of the 10 steps between (sizes 2, 3, 2, 3), the last.
  assert.deepEqual(lossSummary(ramp(12), 6), [0, 1.5, 4, 6.5, 9, 11]);
  // One over the limit: the buckets between are single steps but one, which holds two.
  const summary = lossSummary(ramp(MAX_LOSS_POINTS + 1));
  assert.equal(summary.length, MAX_LOSS_POINTS);
  assert.equal(summary.filter((v) => !Number.isInteger(v)).length, 1);
});

test("every step in between is in exactly one bucket: the buckets' weighted means add up to the whole", () => {
  const losses = Array.from({ length: 10_007 }, (_, i) => ((i * 7919) % 1000) / 100);
  const summary = lossSummary(losses, 10);
  const inner = losses.slice(1, -1);
  const sizes = Array.from(
    { length: 8 },
    (_, b) => Math.floor(((b + 1) * inner.length) / 8) - Math.floor((b * inner.length) / 8),
  );
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, "evenly sized");
  const total = summary.slice(1, -1).reduce((n, mean, b) => n + mean * (sizes[b] as number), 0);
  const expected = inner.reduce((n, v) => n + v, 0);
  assert.ok(Math.abs(total - expected) < 1e-6, `${total} vs ${expected}`);
});

test("a constant curve stays constant", () => {
  assert.deepEqual(lossSummary(new Array(1000).fill(0.5), 5), [0.5, 0.5, 0.5, 0.5, 0.5]);
});

test("a limit that cannot hold the first and last step is refused", () => {
  for (const bad of [1, 0, -3, 2.5, Number.NaN]) {
    assert.throws(
      () => lossSummary([1, 2, 3], bad),
      (err) => isIsaraError(err, "invalid_argument"),
    );
  }
  assert.deepEqual(lossSummary([1, 2, 3, 4], 2), [1, 4]);
});
