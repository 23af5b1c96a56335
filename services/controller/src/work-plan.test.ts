import assert from "node:assert/strict";
import { test } from "node:test";
import { DemoSelection, TrainingData, TrainingMethod } from "@isara/contracts";
import {
  advance,
  createRunState,
  demoQuotas,
  deriveSeed,
  domainConfigSchema,
  isIsaraError,
  nextStep,
  type RunState,
  sampleId,
} from "@isara/core";
import { tinyConfig } from "../testing/test-fixtures.js";
import type { PhaseStep } from "./phase-progress.js";
import type { PromptRow, TrainRow } from "./slot-rows.js";
import { type WorkInputs, workFor } from "./work-plan.js";

const config = domainConfigSchema.parse(tinyConfig("alpha", { rounds: 2 }));

function step(state: RunState): PhaseStep {
  const s = nextStep(state);
  assert.equal(s.type, "phase");
  return s as PhaseStep;
}

function inputs(state: RunState, extra: Partial<WorkInputs> = {}): WorkInputs {
  return {
    state,
    config,
    seeds: 8,
    baseModel: "tiny-base",
    correlationId: "req-1",
    adapterReference: "gguf",
    trainRows: new Map(),
    ...extra,
  };
}

/** The state after round 0's evaluation and the prompts/answers/filter/train of round 1. */
function throughRound1(): RunState {
  let s = createRunState({ runId: "run-a", config, mode: "isara" });
  s = advance(s, { type: "phase-completed", round: 0, phase: "evaluate", metrics: { rougeL_diff: 0 } });
  s = advance(s, { type: "phase-completed", round: 1, phase: "prompts", written: 4 });
  s = advance(s, { type: "phase-completed", round: 1, phase: "answers", written: 4 });
  s = advance(s, {
    type: "phase-completed",
    round: 1,
    phase: "filter",
    written: 4,
    accepted: 2,
    rejectedBy: {},
  });
  return advance(s, {
    type: "phase-completed",
    round: 1,
    phase: "train",
    adapter: "run-a/round-1/train",
    finalLoss: 0.5,
    steps: 3,
  });
}

const trainRow: TrainRow = {
  slot: 0,
  adapter: "run-a/round-1/train",
  finalLoss: 0.5,
  steps: 3,
  adapterDir: "run-a/round-1/train/adapter",
  ggufAdapterPath: "run-a/round-1/train/adapter.gguf",
  losses: [1, 0.5],
};

test("a new run starts with one zero-shot EvalWork of the base model for round 0", () => {
  const state = createRunState({ runId: "run-a", config, mode: "isara" });
  const work = workFor(step(state), [0], inputs(state));
  assert.equal(work.length, 1);
  const [w] = work;
  assert.ok(w?.phase === "evaluate");
  assert.deepEqual(w.message, {
    context: { run: "run-a", domain: "alpha", round: 0, correlationId: "req-1" },
    idempotencyKey: "run-a/0/evaluate",
    model: { baseModel: "tiny-base" },
    evaluation: { kind: { $case: "zeroShot", value: {} } },
    resultsKey: "run-a/round-0/eval.jsonl",
  });
});

test("the prompts phase asks for one PromptWork per slot with the embedded mode's quotas and seeds", () => {
  let state = createRunState({ runId: "run-a", config, mode: "isara" });
  state = advance(state, {
    type: "phase-completed",
    round: 0,
    phase: "evaluate",
    metrics: { rougeL_diff: 0 },
  });
  const work = workFor(step(state), [0, 1, 2, 3], inputs(state));
  assert.deepEqual(
    work.map((w) => w.phase === "prompts" && [w.message.slot, w.message.idempotencyKey]),
    [0, 1, 2, 3].map((slot) => [slot, sampleId("run-a", 1, slot)]),
  );
  const first = work[0];
  assert.ok(first?.phase === "prompts");
  assert.deepEqual(first.message.quotas, demoQuotas(1, 4, [8]));
  assert.equal(first.message.demoSeed, deriveSeed(11, "prompt-demos", 1, 0));
  assert.equal(first.message.samplingSeed, deriveSeed(11, "prompt-sampling", 1, 0));
  assert.equal(first.message.sampling, undefined, "no copy of the run's sampling: the snapshot has it");
  assert.equal(first.message.promptBudgetTokens, 0, "no copy of the run's token budget");
  assert.deepEqual(first.message.model, { baseModel: "tiny-base" }, "round 1 writes with the base model");

  const resumed = workFor(step(state), [2], inputs(state));
  assert.deepEqual(
    resumed.map((w) => w.phase === "prompts" && w.message.slot),
    [2],
    "a resumed phase asks only for the missing slots",
  );
});

test("answers carry each slot's prompt and demos; a slot without a prompt is a bug, not silent", () => {
  let state = createRunState({ runId: "run-a", config, mode: "isara" });
  state = advance(state, {
    type: "phase-completed",
    round: 0,
    phase: "evaluate",
    metrics: { rougeL_diff: 0 },
  });
  state = advance(state, { type: "phase-completed", round: 1, phase: "prompts", written: 2 });
  const prompts = new Map<number, PromptRow>(
    [0, 1].map((slot) => [
      slot,
      {
        slot,
        prompt: `prompt ${slot}`,
        promptDemos: [{ id: "seed-x", setIndex: 0, score: null }],
        droppedDemos: 0,
        truncated: false,
        generatorModel: "tiny-base",
      },
    ]),
  );
  const work = workFor(step(state), [0, 1], inputs(state, { prompts }));
  const second = work[1];
  assert.ok(second?.phase === "answers");
  assert.equal(second.message.prompt, "prompt 1");
  assert.deepEqual(second.message.promptDemos, [{ id: "seed-x", setIndex: 0, score: undefined }]);
  assert.equal(second.message.samplingSeed, deriveSeed(11, "answer-sampling", 1, 1));
  assert.equal(second.message.sampling, undefined, "no copy of the run's sampling: the snapshot has it");
  assert.equal(second.message.promptBudgetTokens, 0, "no copy of the run's token budget");
  assert.throws(
    () =>
      workFor(step(state), [0, 1], inputs(state, { prompts: new Map([[0, prompts.get(0) as PromptRow]]) })),
    (err) => isIsaraError(err, "internal") && /no prompt for slot 1/.test(err.message),
  );
});

test("the filter phase is one FilterWork naming the candidates file, sent only while slots are missing", () => {
  let state = createRunState({ runId: "run-a", config, mode: "isara" });
  state = advance(state, {
    type: "phase-completed",
    round: 0,
    phase: "evaluate",
    metrics: { rougeL_diff: 0 },
  });
  state = advance(state, { type: "phase-completed", round: 1, phase: "prompts", written: 4 });
  state = advance(state, { type: "phase-completed", round: 1, phase: "answers", written: 4 });
  const [w] = workFor(step(state), [1, 3], inputs(state));
  assert.ok(w?.phase === "filter");
  assert.equal(w.message.idempotencyKey, "run-a/1/filter");
  assert.equal(w.message.candidatesKey, "run-a/round-1/candidates.jsonl");
  assert.equal(w.message.candidateCount, 4);
  assert.equal(
    w.message.settings,
    undefined,
    "the run's identity and keys, no settings: the filter chain is read from the run's domain snapshot",
  );
  assert.deepEqual(workFor(step(state), [], inputs(state)), []);
});

test("round 2 continues from round 1's adapter: halved learning rate, PEFT folder to train on, GGUF to generate with", () => {
  let state = throughRound1();
  state = advance(state, {
    type: "phase-completed",
    round: 1,
    phase: "evaluate",
    metrics: { rougeL_diff: 0.2 },
  });
  const trainRows = new Map([[1, trainRow]]);
  const [prompt] = workFor(step(state), [0], inputs(state, { trainRows }));
  assert.ok(prompt?.phase === "prompts");
  assert.deepEqual(prompt.message.model, {
    baseModel: "tiny-base",
    adapter: "run-a/round-1/train/adapter.gguf",
  });
  assert.deepEqual(prompt.message.quotas, demoQuotas(2, 4, [8, 2]), "round 1's 2 accepted samples are set 1");
  const [byName] = workFor(step(state), [0], inputs(state, { trainRows, adapterReference: "adapter" }));
  assert.ok(byName?.phase === "prompts");
  assert.equal(
    byName.message.model?.adapter,
    "run-a/round-1/train",
    "served adapters are named by the summary",
  );

  state = advance(state, { type: "phase-completed", round: 2, phase: "prompts", written: 4 });
  state = advance(state, { type: "phase-completed", round: 2, phase: "answers", written: 4 });
  state = advance(state, {
    type: "phase-completed",
    round: 2,
    phase: "filter",
    written: 4,
    accepted: 1,
    rejectedBy: {},
  });
  const [train] = workFor(step(state), [0], inputs(state, { trainRows }));
  assert.ok(train?.phase === "train");
  assert.equal(train.message.idempotencyKey, "run-a/2/train");
  assert.equal(train.message.previousAdapter, "run-a/round-1/train/adapter");
  assert.equal(train.message.learningRate, config.training.learningRate * config.training.learningRateDecay);
  assert.equal(train.message.data, TrainingData.SEEDS_AND_ROUND);
  assert.deepEqual(
    [
      train.message.method,
      train.message.batchSize,
      train.message.maxSequenceLength,
      train.message.loraRank,
      train.message.loraAlpha,
      train.message.loraDropout,
    ],
    [TrainingMethod.UNSPECIFIED, 0, 0, 0, 0, 0],
    "no copies of the run's trainer settings: the snapshot has them",
  );
  assert.equal(train.message.epochs, config.training.epochs);
  assert.equal(train.message.seed, deriveSeed(11, "train", 2));
  assert.equal(train.message.outputKey, "run-a/round-2/train");
});

test("the icl-knn baseline evaluates the base model with K nearest seeds in context", () => {
  let state = createRunState({ runId: "run-k", config, mode: "icl-knn" });
  state = advance(state, {
    type: "phase-completed",
    round: 0,
    phase: "evaluate",
    metrics: { rougeL_diff: 0 },
  });
  const [w] = workFor(step(state), [0], inputs(state));
  assert.ok(w?.phase === "evaluate");
  assert.deepEqual(w.message.evaluation, {
    kind: { $case: "inContext", value: { selection: DemoSelection.KNN, demos: 4 } },
  });
  assert.deepEqual(w.message.model, { baseModel: "tiny-base" });
});
