import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "./errors.js";
import { learningRateForRound } from "./lr-schedule.js";

test("the paper's schedule: 2e-5 in round 1, halved each later round", () => {
  const training = { learningRate: 2e-5, learningRateDecay: 0.5 };
  assert.equal(learningRateForRound(training, 1), 2e-5);
  assert.equal(learningRateForRound(training, 2), 1e-5);
  assert.equal(learningRateForRound(training, 3), 5e-6);
  assert.equal(learningRateForRound(training, 4), 2.5e-6);
});

test("a decay of 1 keeps the rate constant across rounds", () => {
  const training = { learningRate: 3e-4, learningRateDecay: 1 };
  assert.equal(learningRateForRound(training, 1), 3e-4);
  assert.equal(learningRateForRound(training, 7), 3e-4);
});

test("round 0, negative and fractional rounds are refused with invalid_argument", () => {
  const training = { learningRate: 2e-5, learningRateDecay: 0.5 };
  for (const round of [0, -1, 1.5, Number.NaN]) {
    assert.throws(
      () => learningRateForRound(training, round),
      (err) => isIsaraError(err, "invalid_argument") && /integers from 1/.test(err.message),
    );
  }
});
