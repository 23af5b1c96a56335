import assert from "node:assert/strict";
import { test } from "node:test";
import { domainConfigSchema } from "./domain.js";
import { advance } from "./run-machine.js";
import { nextStep } from "./run-next-step.js";
import { createRunState } from "./run-state.js";

const config = domainConfigSchema.parse({
  name: "truthful",
  isara: { rounds: 2, promptsPerRound: 6, demos: 4 },
});

test("steps carry the counts of the previous phase, the round's learning rate and the adapter to continue from", () => {
  let s = createRunState({ runId: "r", config, mode: "isara" });
  assert.deepEqual(nextStep(s), {
    type: "phase",
    round: 0,
    phase: "evaluate",
    adapter: null,
    context: { kind: "zero-shot" },
  });
  s = advance(s, { type: "phase-completed", round: 0, phase: "evaluate", metrics: { rougeL_diff: 0.1 } });
  assert.deepEqual(nextStep(s), { type: "phase", round: 1, phase: "prompts", count: 6 });
  s = advance(s, { type: "phase-completed", round: 1, phase: "prompts", written: 5 });
  assert.deepEqual(nextStep(s), { type: "phase", round: 1, phase: "answers", count: 5 });
  s = advance(s, { type: "phase-completed", round: 1, phase: "answers", written: 4 });
  assert.deepEqual(nextStep(s), { type: "phase", round: 1, phase: "filter", count: 4 });
  s = advance(s, {
    type: "phase-completed",
    round: 1,
    phase: "filter",
    written: 4,
    accepted: 3,
    rejectedBy: { short: 1 },
  });
  assert.deepEqual(nextStep(s), {
    type: "phase",
    round: 1,
    phase: "train",
    learningRate: 2e-5,
    epochs: 1,
    data: "seeds+round",
    accepted: 3,
    previousAdapter: null,
  });
  s = advance(s, {
    type: "phase-completed",
    round: 1,
    phase: "train",
    adapter: "a/1",
    finalLoss: 1.2,
    steps: 3,
  });
  assert.deepEqual(nextStep(s), {
    type: "phase",
    round: 1,
    phase: "evaluate",
    adapter: "a/1",
    context: { kind: "zero-shot" },
  });
  s = advance(s, { type: "phase-completed", round: 1, phase: "evaluate", metrics: { rougeL_diff: 0.2 } });
  s = advance(s, { type: "phase-completed", round: 2, phase: "prompts", written: 6 });
  s = advance(s, { type: "phase-completed", round: 2, phase: "answers", written: 6 });
  s = advance(s, {
    type: "phase-completed",
    round: 2,
    phase: "filter",
    written: 6,
    accepted: 6,
    rejectedBy: {},
  });
  const train = nextStep(s);
  assert.equal(train.type === "phase" && train.phase === "train" && train.learningRate, 1e-5);
  assert.equal(train.type === "phase" && train.phase === "train" && train.previousAdapter, "a/1");
  assert.equal(s.rounds[2]?.learningRate, 1e-5);
});

test("icl modes evaluate the base model with seed demos; sft-seeds trains on seeds from the base model", () => {
  const base = { type: "phase-completed", round: 0, phase: "evaluate", metrics: { rougeL_diff: 0 } } as const;
  const icl = advance(createRunState({ runId: "r", config, mode: "icl-random" }), base);
  assert.deepEqual(nextStep(icl), {
    type: "phase",
    round: 1,
    phase: "evaluate",
    adapter: null,
    context: { kind: "icl", selection: "random", demos: 4 },
  });
  const sft = advance(createRunState({ runId: "r", config, mode: "sft-seeds" }), base);
  assert.deepEqual(nextStep(sft), {
    type: "phase",
    round: 1,
    phase: "train",
    learningRate: 2e-5,
    epochs: 1,
    data: "seeds",
    accepted: 0,
    previousAdapter: null,
  });
});

test("a finished run has no step to run and says why it stopped", () => {
  const s = advance(createRunState({ runId: "r", config, mode: "base" }), {
    type: "phase-completed",
    round: 0,
    phase: "evaluate",
    metrics: { rougeL_diff: 0 },
  });
  assert.deepEqual(nextStep(s), {
    type: "finished",
    status: "done",
    stopReason: "max rounds reached: the plan has only the base-model evaluation",
  });
});
