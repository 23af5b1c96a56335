import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "./errors.js";
import { keptFractionRule, maxRoundsRule, metricHistory, noImprovementRule } from "./stop-rules.js";

test("max rounds: stops after the last round of the plan, not before", () => {
  assert.equal(maxRoundsRule(0, 3), null);
  assert.equal(maxRoundsRule(2, 3), null);
  assert.equal(maxRoundsRule(3, 3), "max rounds reached: round 3 was the last of 3");
  assert.match(maxRoundsRule(0, 0) ?? "", /only the base-model evaluation/);
});

test("kept fraction: stops when accepted / written falls below the floor", () => {
  const stop = { minKeptFraction: 0.1 };
  assert.equal(keptFractionRule({ written: 100, accepted: 10 }, stop), null);
  assert.equal(
    keptFractionRule({ written: 100, accepted: 9 }, stop),
    "kept fraction too low: 9 of 100 samples passed the filters (0.09 < stop.minKeptFraction 0.1); the round did not train",
  );
});

test("kept fraction: a round that wrote nothing keeps 0, and a floor of 0 never stops", () => {
  assert.match(keptFractionRule({ written: 0, accepted: 0 }, { minKeptFraction: 0.05 }) ?? "", /0 of 0/);
  assert.equal(keptFractionRule({ written: 0, accepted: 0 }, { minKeptFraction: 0 }), null);
});

const stop = { metric: "rougeL_diff", patience: 1, minImprovement: 0 };

test("no improvement: compares with the best so far, round 0 included", () => {
  assert.equal(noImprovementRule([0.2], stop), null, "round 0 alone never stops");
  assert.equal(noImprovementRule([0.2, 0.3], stop), null);
  assert.equal(
    noImprovementRule([0.2, 0.3, 0.25], stop),
    'no improvement: "rougeL_diff" did not rise by more than 0 for 1 round; best 0.3 in round 1, latest 0.25 in round 2',
  );
  assert.match(
    noImprovementRule([0.4, 0.3], stop) ?? "",
    /best 0.4 in round 0/,
    "the base model can be the best",
  );
  assert.notEqual(noImprovementRule([0.2, 0.2], stop), null, "equal is not an improvement");
});

test("no improvement: an improvement must exceed minImprovement", () => {
  const strict = { ...stop, minImprovement: 0.05 };
  assert.notEqual(noImprovementRule([0.2, 0.24], strict), null);
  assert.equal(noImprovementRule([0.2, 0.26], strict), null);
});

test("no improvement: patience counts consecutive rounds without gain", () => {
  const patient = { ...stop, patience: 2 };
  assert.equal(noImprovementRule([0.2, 0.1], patient), null, "one flat round is not enough");
  assert.equal(noImprovementRule([0.2, 0.3, 0.1, 0.35], patient), null, "round 3 beat round 1");
  assert.match(noImprovementRule([0.2, 0.3, 0.1, 0.29], patient) ?? "", /for 2 rounds; best 0.3 in round 1/);
});

test("no improvement: patience 0 disables the rule", () => {
  assert.equal(noImprovementRule([0.5, 0.1, 0.0, -1], { ...stop, patience: 0 }), null);
});

test("metric history: picks the stop metric per round, and names the known metrics when it is missing", () => {
  assert.deepEqual(metricHistory([{ a: 1, b: 2 }, { a: 3 }], "a"), [1, 3]);
  assert.throws(
    () => metricHistory([{ a: 1, b: 2 }], "rougeL"),
    (err) =>
      isIsaraError(err, "invalid_argument") &&
      err.message ===
        'stop.metric "rougeL" is not among the metrics of round 0 (a, b); set stop.metric in domain.json to one of them',
  );
});
