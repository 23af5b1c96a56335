import assert from "node:assert/strict";
import { test } from "node:test";
import { domainConfigSchema } from "./domain.js";
import { PHASES, planFor, RUN_MODE_TABLE, RUN_MODES, runModeSchema } from "./run-modes.js";

const config = domainConfigSchema.parse({
  name: "truthful",
  isara: { rounds: 3, promptsPerRound: 512, demos: 8 },
  training: { learningRate: 2e-5, learningRateDecay: 0.5, epochs: 2 },
});

test("every mode starts with round 0: the base model evaluated zero-shot", () => {
  for (const mode of RUN_MODES) {
    const plan = planFor(mode, config);
    assert.equal(plan.mode, mode);
    assert.deepEqual(plan.rounds[0], {
      round: 0,
      phases: ["evaluate"],
      prompts: 0,
      training: null,
      evaluation: { kind: "zero-shot" },
    });
    plan.rounds.forEach((r, i) => {
      assert.equal(r.round, i, `${mode}: rounds are numbered in order`);
      assert.equal(r.phases.at(-1), "evaluate", `${mode}: every round ends with an evaluation`);
    });
    assert.deepEqual(plan.stop, config.stop);
  }
});

test("isara: T full rounds of N prompts, the learning rate halved each round", () => {
  const plan = planFor("isara", config);
  assert.equal(plan.rounds.length, 4);
  const rounds = plan.rounds.slice(1);
  assert.deepEqual(
    rounds.map((r) => r.training?.learningRate),
    [2e-5, 1e-5, 5e-6],
  );
  for (const r of rounds) {
    assert.deepEqual(r.phases, [...PHASES]);
    assert.equal(r.prompts, 512);
    assert.equal(r.training?.epochs, 2);
    assert.equal(r.training?.data, "seeds+round");
    assert.deepEqual(r.evaluation, { kind: "zero-shot" });
  }
});

test("base: only the base-model evaluation", () => {
  assert.equal(planFor("base", config).rounds.length, 1);
});

test("sft-seeds: one round that trains on the seeds with round 1's rate and epochs, then evaluates", () => {
  const plan = planFor("sft-seeds", config);
  assert.equal(plan.rounds.length, 2);
  assert.deepEqual(plan.rounds[1], {
    round: 1,
    phases: ["train", "evaluate"],
    prompts: 0,
    training: { learningRate: 2e-5, epochs: 2, data: "seeds" },
    evaluation: { kind: "zero-shot" },
  });
});

test("icl-knn and icl-random: one evaluation of the base model with K seed demos, no training", () => {
  for (const [mode, selection] of [
    ["icl-knn", "knn"],
    ["icl-random", "random"],
  ] as const) {
    const plan = planFor(mode, config);
    assert.equal(plan.rounds.length, 2);
    assert.deepEqual(plan.rounds[1], {
      round: 1,
      phases: ["evaluate"],
      prompts: 0,
      training: null,
      evaluation: { kind: "icl", selection, demos: 8 },
    });
  }
});

test("one-shot: a single full round that writes 2N prompts", () => {
  const plan = planFor("one-shot", config);
  assert.equal(plan.rounds.length, 2);
  assert.deepEqual(plan.rounds[1]?.phases, [...PHASES]);
  assert.equal(plan.rounds[1]?.prompts, 1024);
  assert.deepEqual(plan.rounds[1]?.training, { learningRate: 2e-5, epochs: 2, data: "seeds+round" });
});

test("the mode table describes every mode and the schema accepts exactly those names", () => {
  for (const mode of RUN_MODES) {
    assert.equal(RUN_MODE_TABLE[mode].mode, mode);
    assert.ok(RUN_MODE_TABLE[mode].summary.length > 10);
    assert.equal(runModeSchema.parse(mode), mode);
  }
  assert.equal(runModeSchema.safeParse("isara-v2").success, false);
});
