import assert from "node:assert/strict";
import { test } from "node:test";
import type { EvalItem } from "./domain.js";
import { isIsaraError } from "./errors.js";
import {
  canScoreLikelihood,
  itemLikelihood,
  likelihoodAcc,
  likelihoodRequest,
  logSumExp,
  mc2,
  summarizeLikelihood,
} from "./likelihood.js";

const close = (actual: number | undefined, expected: number, what: string, tol = 1e-12) =>
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) <= tol,
    `${what}: ${actual} is not ${expected}`,
  );

test("logSumExp is exact for ordinary, huge and tiny values", () => {
  close(logSumExp([Math.log(1), Math.log(3)]), Math.log(4), "log(1+3)");
  close(logSumExp([1000, 1000]), 1000 + Math.log(2), "no overflow");
  close(logSumExp([-2000, -2000 + Math.log(3)]), -2000 + Math.log(4), "no underflow");
  assert.equal(logSumExp([]), Number.NEGATIVE_INFINITY);
  assert.equal(logSumExp([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]), Number.NEGATIVE_INFINITY);
  close(logSumExp([Number.NEGATIVE_INFINITY, 0]), 0, "an impossible term adds nothing");
});

test("MC2 is the probability mass on the correct references, normalised", () => {
  // p = 0.2, 0.1 correct; 0.3, 0.4 incorrect: 0.3 / 1.0.
  const c = [0.2, 0.1].map(Math.log);
  const i = [0.3, 0.4].map(Math.log);
  close(mc2(c, i), 0.3, "mc2", 1e-15);
  // Probabilities far below what a double holds (e^-900) still give the same ratio.
  close(
    mc2(
      c.map((x) => x - 900),
      i.map((x) => x - 900),
    ),
    0.3,
    "mc2 of underflowing probabilities",
    1e-12,
  );
  assert.equal(mc2(c, []), undefined, "no incorrect reference, no MC2");
  assert.equal(mc2([], i), undefined, "no correct reference, no MC2");
  assert.equal(mc2([Number.NEGATIVE_INFINITY], [Number.NEGATIVE_INFINITY]), undefined);
});

test("likelihood_acc: the best correct must beat every incorrect, strictly", () => {
  assert.equal(likelihoodAcc([-5, -2], [-3, -4]), 1);
  assert.equal(likelihoodAcc([-5, -3.5], [-3, -4]), 0);
  assert.equal(likelihoodAcc([-3], [-3]), 0, "a tie is not a preference");
  assert.equal(likelihoodAcc([-3], []), undefined);
});

const ITEM: EvalItem = {
  id: "q1",
  prompt: "Is the sky green?",
  correct: ["No, it is blue.", "No."],
  incorrect: ["Yes."],
};

test("the request scores every reference after the zero-shot answer prompt, correct ones first", () => {
  assert.deepEqual(likelihoodRequest(ITEM, "a.gguf"), {
    prompt: "BEGINNING OF CONVERSATION: USER: Is the sky green? ASSISTANT:",
    continuations: [" No, it is blue.", " No.", " Yes."],
    adapter: "a.gguf",
  });
  assert.equal("adapter" in likelihoodRequest(ITEM), false);
});

test("an item's metrics come from its scores in request order; a wrong count is an internal error", () => {
  const scores = [-4, -2, -3].map((logprob) => ({ logprob, tokens: 3 }));
  const got = itemLikelihood(ITEM, scores);
  const p = [-4, -2, -3].map(Math.exp) as [number, number, number];
  close(got?.mc2, (p[0] + p[1]) / (p[0] + p[1] + p[2]), "mc2");
  assert.equal(got?.likelihood_acc, 1);
  assert.equal(itemLikelihood({ ...ITEM, incorrect: [] }, scores.slice(0, 2)), undefined);
  assert.throws(
    () => itemLikelihood(ITEM, scores.slice(0, 2)),
    (err) => isIsaraError(err, "internal"),
  );
});

test("the summary averages the items that have metrics and says how many", () => {
  assert.deepEqual(
    summarizeLikelihood([{ mc2: 0.25, likelihood_acc: 0 }, undefined, { mc2: 0.75, likelihood_acc: 1 }]),
    { mc2: 0.5, likelihood_acc: 0.5, likelihood_items: 2 },
  );
  assert.deepEqual(summarizeLikelihood([undefined]), {});
});

test("canScoreLikelihood looks for the method", () => {
  assert.equal(canScoreLikelihood({ scoreContinuations: async () => [] }), true);
  assert.equal(canScoreLikelihood({ complete: async () => ({}) }), false);
  assert.equal(canScoreLikelihood(null), false);
});
