import assert from "node:assert/strict";
import { test } from "node:test";
import { pairedBootstrap } from "./paired-bootstrap.js";

test("a model better on every item wins in every resample, and the interval sits above 0", () => {
  const b = Array.from({ length: 50 }, (_, i) => (i % 5) / 10);
  const a = b.map((x) => x + 0.1);
  const d = pairedBootstrap(a, b, { seed: 1 });
  assert.ok(Math.abs(d.mean - 0.1) < 1e-12);
  assert.ok(d.low > 0.099 && d.high < 0.101);
  assert.equal(d.probabilityAbove, 1);
});

test("noise around no difference gives an interval that straddles 0, reproducibly from the seed", () => {
  const a = Array.from({ length: 200 }, (_, i) => ((i * 37) % 11) / 10 - 0.5);
  const b = Array.from({ length: 200 }, (_, i) => ((i * 53) % 11) / 10 - 0.5);
  const d = pairedBootstrap(a, b, { seed: 7 });
  assert.ok(d.low < 0 && d.high > 0, `interval [${d.low}, ${d.high}] should contain 0`);
  assert.ok(d.probabilityAbove > 0.05 && d.probabilityAbove < 0.95);
  assert.deepEqual(pairedBootstrap(a, b, { seed: 7 }), d);
});

test("lists of different lengths are refused: the items would not be paired", () => {
  assert.throws(() => pairedBootstrap([1, 2], [1], { seed: 1 }), /equally long/);
  assert.throws(() => pairedBootstrap([], [], { seed: 1 }), /non-empty/);
});
