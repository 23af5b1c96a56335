import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { neighbourPrecision } from "./neighbour-precision.js";

const v = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs, (x) => x / n);
};

describe("neighbourPrecision", () => {
  it("scores perfect clusters 1 and reports the chance rate of random neighbours", () => {
    const vectors = [v(1, 0), v(0.99, 0.1), v(0.98, 0.15), v(0, 1), v(0.1, 0.99), v(0.15, 0.98)];
    const labels = ["a", "a", "a", "b", "b", "b"];
    const r = neighbourPrecision(vectors, labels, [1, 2]);
    assert.deepEqual(r.precision, { 1: 1, 2: 1 });
    assert.ok(Math.abs(r.chance - 2 / 5) < 1e-12);
    assert.equal(r.n, 6);
  });

  it("scores 0 when every nearest neighbour has another label", () => {
    const r = neighbourPrecision([v(1, 0), v(0.99, 0.1), v(0, 1), v(0.1, 0.99)], ["a", "b", "a", "b"], [1]);
    assert.equal(r.precision[1], 0);
  });

  it("refuses mismatched inputs and impossible k", () => {
    assert.throws(() => neighbourPrecision([v(1, 0)], ["a", "b"]), RangeError);
    assert.throws(() => neighbourPrecision([v(1, 0), v(0, 1)], ["a", "b"], [2]), RangeError);
  });
});
