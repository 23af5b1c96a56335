import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isIsaraError, type Sample, sampleId } from "@isara/core";
import { fromPayload, toPayload } from "./sample-payload.js";

const sample: Sample = {
  id: sampleId("run-1", 1, 3),
  run: "run-1",
  domain: "truthfulqa",
  round: 1,
  setIndex: 1,
  slot: 3,
  prompt: "Is it safe to eat watermelon seeds?",
  response: "Yes; they pass through you.",
  lineage: {
    promptDemos: [{ id: "a", setIndex: 0, score: null }],
    answerDemos: [{ id: "b", setIndex: 0, score: 0.81 }],
    promptTemplateVersion: "isara-conv-v1",
    generatorModel: "smol",
    verdicts: [{ filter: "min-words", accepted: true, reason: "7 words >= 5" }],
  },
};

describe("sample payload", () => {
  it("round-trips a sample through JSON, null scores and absent fields intact", () => {
    const stored = JSON.parse(JSON.stringify(toPayload(sample))) as unknown;
    assert.deepEqual(fromPayload("p", stored), sample);
    assert.equal(fromPayload("p", stored).lineage.promptDemos[0]?.score, null);
    assert.equal("trainedBy" in fromPayload("p", stored).lineage, false);
  });

  it("reports a point that is not an ISARA sample, naming the point and the field", () => {
    const broken = { ...toPayload(sample), slot: "3" };
    assert.throws(
      () => fromPayload("4f1c", broken),
      (err: unknown) => isIsaraError(err, "internal") && /point 4f1c.*slot/.test(err.message),
    );
    assert.throws(
      () => fromPayload(7, null),
      (err: unknown) => isIsaraError(err, "internal"),
    );
    assert.throws(
      () => fromPayload(7, { ...toPayload(sample), lineage: "{}" }),
      (err: unknown) => isIsaraError(err, "internal") && /lineage/.test(err.message),
    );
  });
});
