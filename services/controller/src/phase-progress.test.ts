import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError, type Sample, sampleId } from "@isara/core";
import {
  completedEvent,
  missingSlots,
  newProgress,
  type PhaseProgress,
  recordRow,
} from "./phase-progress.js";
import type { JudgedRow, PromptRow } from "./slot-rows.js";

const promptsStep = { type: "phase", round: 1, phase: "prompts", count: 4 } as const;

function prompt(slot: number, text = `prompt ${slot}`): { phase: "prompts"; row: PromptRow } {
  return {
    phase: "prompts",
    row: { slot, prompt: text, promptDemos: [], droppedDemos: 0, truncated: false, generatorModel: "m" },
  };
}

function judged(slot: number, verdicts: [string, boolean][]): { phase: "filter"; row: JudgedRow } {
  const sample: Sample = {
    id: sampleId("run-a", 1, slot),
    run: "run-a",
    domain: "alpha",
    round: 1,
    setIndex: 1,
    slot,
    prompt: `p${slot}`,
    response: `r${slot}`,
    lineage: {
      promptDemos: [],
      answerDemos: [],
      promptTemplateVersion: "isara-conv-v1",
      generatorModel: "m",
      verdicts: verdicts.map(([filter, accepted]) => ({ filter, accepted, reason: filter })),
    },
  };
  return { phase: "filter", row: { slot, sample, accepted: verdicts.every(([, a]) => a) } };
}

test("a phase completes once every slot has a result, and a duplicate counts nothing", () => {
  const progress = newProgress(promptsStep);
  assert.deepEqual(missingSlots(progress), [0, 1, 2, 3]);
  for (const slot of [2, 0, 3]) assert.equal(recordRow(progress, prompt(slot)), "recorded");
  assert.equal(recordRow(progress, prompt(2, "a different text from a second delivery")), "duplicate");
  assert.equal(completedEvent(progress), null, "slot 1 is still missing");
  assert.deepEqual(missingSlots(progress), [1]);
  recordRow(progress, prompt(1));
  assert.deepEqual(completedEvent(progress), {
    type: "phase-completed",
    round: 1,
    phase: "prompts",
    written: 4,
  });
  assert.equal(
    progress.phase === "prompts" && progress.rows.get(2)?.prompt,
    "prompt 2",
    "the first result stays",
  );
});

test("a result for a slot the phase does not have, or of another phase, is refused", () => {
  const progress = newProgress(promptsStep);
  assert.throws(
    () => recordRow(progress, prompt(4)),
    (err) => isIsaraError(err, "invalid_argument") && /slots 0\.\.3; a result for slot 4/.test(err.message),
  );
  assert.throws(
    () => recordRow(progress, judged(0, [])),
    (err) =>
      isIsaraError(err, "invalid_argument") &&
      /filter result cannot be recorded in the prompts phase/.test(err.message),
  );
});

test("the filter's counts are core's: accepted samples and rejections per filter", () => {
  const progress: PhaseProgress = newProgress({ type: "phase", round: 1, phase: "filter", count: 3 });
  recordRow(
    progress,
    judged(0, [
      ["rouge-l", true],
      ["min-words", true],
    ]),
  );
  recordRow(
    progress,
    judged(1, [
      ["rouge-l", false],
      ["min-words", false],
    ]),
  );
  recordRow(
    progress,
    judged(2, [
      ["rouge-l", true],
      ["min-words", false],
    ]),
  );
  assert.deepEqual(completedEvent(progress), {
    type: "phase-completed",
    round: 1,
    phase: "filter",
    written: 3,
    accepted: 1,
    rejectedBy: { "rouge-l": 1, "min-words": 2 },
  });
});

test("training and evaluation complete with their single result", () => {
  const train = newProgress({
    type: "phase",
    round: 1,
    phase: "train",
    learningRate: 1e-4,
    epochs: 1,
    data: "seeds+round",
    accepted: 2,
    previousAdapter: null,
  });
  assert.deepEqual(train.expected, [0]);
  assert.equal(completedEvent(train), null);
  recordRow(train, {
    phase: "train",
    row: {
      slot: 0,
      adapter: "a/round-1/train",
      finalLoss: 0.4,
      steps: 2,
      adapterDir: "d",
      ggufAdapterPath: null,
      losses: [],
    },
  });
  assert.deepEqual(completedEvent(train), {
    type: "phase-completed",
    round: 1,
    phase: "train",
    adapter: "a/round-1/train",
    finalLoss: 0.4,
    steps: 2,
  });
  const evaluate = newProgress({
    type: "phase",
    round: 0,
    phase: "evaluate",
    adapter: null,
    context: { kind: "zero-shot" },
  });
  recordRow(evaluate, {
    phase: "evaluate",
    row: { slot: 0, metrics: { rougeL_diff: 0.25 }, items: 2, resultsKey: "k" },
  });
  assert.deepEqual(completedEvent(evaluate), {
    type: "phase-completed",
    round: 0,
    phase: "evaluate",
    metrics: { rougeL_diff: 0.25 },
  });
});
