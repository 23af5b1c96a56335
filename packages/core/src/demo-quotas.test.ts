import assert from "node:assert/strict";
import { test } from "node:test";
import { demoQuotas, paperQuotas } from "./demo-quotas.js";
import { isIsaraError } from "./errors.js";

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

test("paper quotas: K-(t-1) seeds and one from each earlier set", () => {
  assert.deepEqual(paperQuotas(1, 8), [8]);
  assert.deepEqual(paperQuotas(2, 8), [7, 1]);
  assert.deepEqual(paperQuotas(3, 8), [6, 1, 1]);
  assert.deepEqual(paperQuotas(8, 8), [1, 1, 1, 1, 1, 1, 1, 1]);
});

test("with more earlier sets than slots, one seed stays and the newest sets fill the rest", () => {
  assert.deepEqual(paperQuotas(10, 8), [1, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual(paperQuotas(3, 1), [1, 0, 0]);
  assert.deepEqual(paperQuotas(3, 2), [1, 0, 1]);
  for (let round = 1; round <= 20; round++) {
    for (const k of [1, 2, 5, 8]) {
      const quotas = paperQuotas(round, k);
      assert.equal(quotas.length, round);
      assert.equal(sum(quotas), k, `round ${round}, K ${k}`);
      assert.ok((quotas[0] ?? 0) >= 1);
    }
  }
});

test("with sets large enough, quotas are the paper's", () => {
  assert.deepEqual(demoQuotas(3, 8, [20, 300, 280]), [6, 1, 1]);
});

test("an empty generated set gives its demo back to the seeds", () => {
  assert.deepEqual(demoQuotas(3, 8, [20, 0, 150]), [7, 0, 1]);
  assert.deepEqual(demoQuotas(4, 8, [20, 0, 0, 0]), [8, 0, 0, 0]);
});

test("seeds too few for their quota give all they have: fewer demos rather than repeats", () => {
  assert.deepEqual(demoQuotas(1, 16, [10]), [10]);
  assert.deepEqual(demoQuotas(3, 12, [9, 0, 4]), [9, 0, 1]);
});

test("bad arguments are refused with a message that says what to fix", () => {
  const refused = (fn: () => unknown, pattern: RegExp) =>
    assert.throws(fn, (err) => isIsaraError(err, "invalid_argument") && pattern.test(err.message));
  refused(() => paperQuotas(0, 8), /round must be a positive integer/);
  refused(() => paperQuotas(1, 0), /isara\.demos/);
  refused(() => demoQuotas(2, 8, [10]), /from 2 sets .* got 1 set sizes/);
  refused(() => demoQuotas(1, 8, [0]), /seed set \(set 0\) is empty/);
  refused(() => demoQuotas(2, 8, [10, -1]), /size of set 1/);
});
