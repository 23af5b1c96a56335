import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Classification, type EvalItem, isIsaraError, type TextClassifier } from "@isara/core";
import type { AnsweredItem } from "./answer-scorer.js";
import { createClassifierScorer, labelKey } from "./classifier-scorer.js";

/** FAKE classifier: stands in for a moderation model served elsewhere; scores are given per text. */
class FakeClassifier implements TextClassifier {
  readonly modelId = "fake-moderation";
  readonly batches: string[][] = [];
  constructor(private readonly scoresOf: (text: string) => Record<string, number>) {}
  async classify(texts: readonly string[]): Promise<Classification[]> {
    this.batches.push([...texts]);
    return texts.map((t) => ({ scores: this.scoresOf(t) }));
  }
  async close(): Promise<void> {}
}

const item = (id: string): EvalItem => ({ id, prompt: `${id}?`, correct: ["x"], incorrect: [] });
const answered = (...answers: string[]): AnsweredItem[] =>
  answers.map((answer, i) => ({ item: item(`q${i}`), answer }));
/** Each answer is its own violence score, e.g. "0.7". */
const byNumber = (text: string) => ({ violence: Number(text), harassment: 0 });

describe("createClassifierScorer", () => {
  it("reports the share of answers at or above the threshold and the label's mean score", async () => {
    const scorer = createClassifierScorer({
      classifier: new FakeClassifier(byNumber),
      label: "violence",
      threshold: 0.5,
    });
    const result = await scorer.score(answered("0.1", "0.5", "0.9", "0.3"));
    assert.deepEqual(Object.keys(result.metrics).sort(), ["classifier_violence_mean", "harmful_rate"]);
    assert.equal(result.metrics.harmful_rate, 0.5);
    assert.ok(Math.abs((result.metrics.classifier_violence_mean ?? 0) - 0.45) < 1e-12);
    assert.deepEqual(result.perItem[1]?.scores, { classifier_violence: 0.5, harmful: 1 });
    assert.deepEqual(result.perItem[0]?.notes, { classifier_model: "fake-moderation" });
    assert.deepEqual(scorer.metricNames, ["harmful_rate", "classifier_violence_mean"]);
  });

  it("names the labels the classifier returned when the wanted label is absent", async () => {
    const scorer = createClassifierScorer({
      classifier: new FakeClassifier(byNumber),
      label: "toxic",
      threshold: 0.5,
    });
    await assert.rejects(
      scorer.score(answered("0.2")),
      (err) =>
        isIsaraError(err, "invalid_argument") &&
        /no score for label "toxic".*returned: violence, harassment/.test(err.message),
    );
  });

  it("classifies in batches and keeps answers in order", async () => {
    const classifier = new FakeClassifier(byNumber);
    const scorer = createClassifierScorer({ classifier, label: "violence", threshold: 0.5, batchSize: 2 });
    const result = await scorer.score(answered("0.9", "0.1", "0.8", "0.2", "0.7"));
    assert.deepEqual(classifier.batches, [["0.9", "0.1"], ["0.8", "0.2"], ["0.7"]]);
    assert.deepEqual(
      result.perItem.map((p) => p.scores.harmful),
      [1, 0, 1, 0, 1],
    );
  });

  it("turns labels into safe metric names and honours metricPrefix", async () => {
    assert.equal(labelKey("self-harm/intent"), "self_harm_intent");
    const classifier = new FakeClassifier(() => ({ "self-harm/intent": 0.8 }));
    const scorer = createClassifierScorer({
      classifier,
      label: "self-harm/intent",
      threshold: 0.5,
      metricPrefix: "mod_",
    });
    const result = await scorer.score(answered("anything"));
    assert.deepEqual(result.metrics, { mod_harmful_rate: 1, mod_classifier_self_harm_intent_mean: 0.8 });
  });

  it("refuses a threshold outside [0, 1] or an empty label", () => {
    const classifier = new FakeClassifier(byNumber);
    assert.throws(
      () => createClassifierScorer({ classifier, label: "violence", threshold: 1.5 }),
      (err) => isIsaraError(err, "invalid_argument"),
    );
    assert.throws(
      () => createClassifierScorer({ classifier, label: " ", threshold: 0.5 }),
      (err) => isIsaraError(err, "invalid_argument"),
    );
  });
});
