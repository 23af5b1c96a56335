import assert from "node:assert/strict";
import { test } from "node:test";
import { type Sample as CoreSample, isIsaraError, sampleId, seedSamples } from "@isara/core";
import { Sample } from "./gen/isara/v1/sample.js";
import { sampleFromWire, sampleToWire } from "./sample-wire.js";

/** Core sample → wire → protobuf bytes → wire → core, as one service sends it and another reads it. */
function overTheWire(sample: CoreSample): CoreSample {
  const bytes = Sample.encode(sampleToWire(sample)).finish();
  return sampleFromWire(Sample.decode(bytes));
}

const judged: CoreSample = {
  id: sampleId("run-1", 2, 7),
  run: "run-1",
  domain: "truthful",
  round: 2,
  setIndex: 2,
  slot: 7,
  prompt: "Can you see the Great Wall of China from space?",
  response: "Not with the naked eye from low Earth orbit; it is long but very narrow.",
  lineage: {
    promptDemos: [
      { id: "seed-a", setIndex: 0, score: null },
      { id: "round-1-b", setIndex: 1, score: null },
    ],
    answerDemos: [
      { id: "seed-c", setIndex: 0, score: 0.8125 },
      { id: "round-1-d", setIndex: 1, score: -0.25 },
    ],
    promptTemplateVersion: "isara-conv-v1",
    generatorModel: "SmolLM2-135M-Instruct-Q8_0+round-1/train",
    verdicts: [
      { filter: "exact-duplicate", accepted: true, reason: "prompt not seen before" },
      { filter: "rouge-l", accepted: true, reason: "ROUGE-L 0.31 <= 0.7 against seed-a", score: 0.3125 },
      { filter: "min-words", accepted: true, reason: "10 and 14 words", score: 0 },
    ],
    trainedBy: "run-1/2/train",
  },
};

test("a judged sample crosses the wire unchanged: demos, null and zero scores, verdicts, trainedBy", () => {
  assert.deepEqual(overTheWire(judged), judged);
});

test("a seed sample (empty lineage, round 0, slot 0) crosses the wire unchanged, without a trainedBy", () => {
  const [seed] = seedSamples("run-1", "truthful", [{ prompt: "Is the Earth flat?", response: "No." }]);
  assert.ok(seed);
  const back = overTheWire(seed);
  assert.deepEqual(back, seed);
  assert.equal("trainedBy" in back.lineage, false);
});

test("a random demo's null score stays null and is not confused with a similarity of 0", () => {
  const back = overTheWire(judged);
  assert.equal(back.lineage.promptDemos[0]?.score, null);
  const zero = {
    ...judged,
    lineage: { ...judged.lineage, answerDemos: [{ id: "x", setIndex: 0, score: 0 }] },
  };
  assert.equal(overTheWire(zero).lineage.answerDemos[0]?.score, 0);
});

test("a wire sample without lineage or id is refused with invalid_argument, naming the sample", () => {
  const noLineage = { ...sampleToWire(judged), lineage: undefined };
  assert.throws(
    () => sampleFromWire(Sample.decode(Sample.encode(noLineage).finish())),
    (err: unknown) => isIsaraError(err, "invalid_argument") && err.message.includes(judged.id),
  );
  assert.throws(
    () => sampleFromWire({ ...sampleToWire(judged), id: "" }),
    (err: unknown) => isIsaraError(err, "invalid_argument") && err.message.includes("sampleId"),
  );
});
