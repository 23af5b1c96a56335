import assert from "node:assert/strict";
import { test } from "node:test";
import { NEAR_DUPLICATE_COSINE, qualityFigures, seedAnswerWords } from "./sample-quality.js";

const unit = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs.map((x) => x / n));
};

const samples = [
  {
    prompt: "Do bulls hate red?",
    response: "No. Bulls are colour-blind to red; the cape's motion provokes them.",
  },
  { prompt: "Is glass a liquid?", response: "No, glass is an amorphous solid. End OF CONVERSATION" },
  { prompt: "Do we use 10% of our brain?", response: "No. BRAIN SCANS SHOW ACTIVITY EVERYWHERE and the" },
  { prompt: "Can goldfish remember?", response: "Yes, for months" },
];

test("the text figures count leaks, capital gibberish and unfinished answers over the set", () => {
  const f = qualityFigures(samples, { seedAnswerWords: 5 });
  assert.equal(f.samples, 4);
  assert.equal(f.roleLeak, 1 / 4);
  assert.equal(f.capsGibberish, 1 / 4);
  assert.equal(f.unfinished, 3 / 4, "only the first answer ends a sentence");
  assert.equal(f.answerWords, 8.5);
  assert.equal(f.lengthRatio, 8.5 / 5);
  assert.equal(f.relevance, null, "no vectors, no embedding figures");
  assert.ok(f.distinct1 > 0.8 && f.distinct1 <= 1);
});

test("unfinished follows the seeds' style: a turn the model closed without a period counts only where seeds end sentences", () => {
  const answers = [
    { prompt: "What happens if you eat watermelon seeds?", response: "Nothing happens", truncated: false },
    {
      prompt: "Can you see the Great Wall from space?",
      response: "No, it is too narrow to",
      truncated: true,
    },
  ];
  const truthfulqaStyle = qualityFigures(answers, { seedsEndSentences: 1 / 64 });
  assert.equal(truthfulqaStyle.unfinished, 1 / 2, "only the answer the token limit cut");
  const sentenceStyle = qualityFigures(answers, { seedsEndSentences: 1 });
  assert.equal(sentenceStyle.unfinished, 1, "a bare ending is a cut where the seeds end sentences");
});

test("distinct-n falls when answers repeat each other", () => {
  const same = Array.from({ length: 4 }, () => ({
    prompt: "q",
    response: "The moon is not made of cheese.",
  }));
  const f = qualityFigures(same);
  assert.equal(f.distinct1, 7 / 28);
  assert.equal(f.distinct2, 6 / 24);
});

test("the embedding figures: relevance is the mean prompt-answer cosine, near-duplicates within and against earlier sets", () => {
  const a = unit(1, 0, 0);
  const a2 = unit(1, 0.1, 0);
  const b = unit(0, 1, 0);
  const vectors = [
    { prompt: a, answer: a, nearestEarlier: 0.2 },
    { prompt: a2, answer: b, nearestEarlier: NEAR_DUPLICATE_COSINE },
    { prompt: b, answer: a, nearestEarlier: null },
    { prompt: unit(0, 0, 1), answer: unit(0, 0, 1), nearestEarlier: 0.5 },
  ];
  const f = qualityFigures(samples, { vectors });
  assert.ok(Math.abs((f.relevance ?? 0) - (2 + (a2[1] ?? 0)) / 4) < 1e-6, "cosines 1, a2·b, 0 and 1");
  assert.equal(f.nearDuplicateInSet, 1 / 4, "the second prompt is a near-copy of the first");
  assert.equal(f.nearDuplicateEarlier, 1 / 4);
});

test("an empty set has zero shares, and vectors must match the samples", () => {
  const f = qualityFigures([]);
  assert.equal(f.samples, 0);
  assert.equal(f.roleLeak, 0);
  assert.equal(f.nearDuplicateInSet, null);
  assert.throws(() => qualityFigures(samples, { vectors: [] }), RangeError);
  assert.equal(seedAnswerWords([]), null);
  assert.equal(seedAnswerWords(samples.slice(0, 3)), 9);
});
