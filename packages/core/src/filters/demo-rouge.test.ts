import assert from "node:assert/strict";
import { test } from "node:test";
import { candidate } from "../../testing/filters/candidate.fixture.js";
import { isIsaraError } from "../errors.js";
import { rougeL } from "../rouge.js";
import { createDemoRougeFilter, ROUGE_L } from "./demo-rouge.js";

const demos = [
  { id: "sd-1", prompt: "How can I improve my sleep quality at night?" },
  { id: "sd-3", prompt: "What are some tips for learning a new language quickly?" },
];
const earlier = { prompts: [], byKey: new Map(), seedAnswerWords: null, seedsEndSentences: null };

test("rejects a prompt that mostly copies one of its demos, naming the demo", () => {
  const filter = createDemoRougeFilter(0.7);
  assert.equal(filter.name, ROUGE_L);
  const copy = candidate(0, {
    prompt: "What are some tips for learning a new language fast?",
    promptDemos: demos,
  });
  const verdict = filter.check(copy, earlier);
  const expected = rougeL(demos[1]?.prompt ?? "", copy.prompt).fmeasure;
  assert.deepEqual(verdict, {
    accepted: false,
    reason: `ROUGE-L ${expected.toFixed(3)} > 0.7 against demo sd-3`,
    score: expected,
  });
});

test("accepts a new prompt and reports its closest demo", () => {
  const fresh = candidate(0, { prompt: "Which houseplants survive in a dark bathroom?", promptDemos: demos });
  const verdict = createDemoRougeFilter(0.7).check(fresh, earlier);
  assert.equal(verdict.accepted, true);
  assert.ok((verdict.score ?? 1) < 0.7);
  assert.match(verdict.reason, /^highest ROUGE-L 0\.\d{3} <= 0\.7 \(demo sd-\d, 2 compared\)$/);
});

test("a score equal to the threshold passes; only above it is rejected", () => {
  // "a b c d" against "a b x y": LCS 2 of 4 each side, F1 exactly 0.5.
  const c = candidate(0, { prompt: "a b c d", promptDemos: [{ id: "d", prompt: "a b x y" }] });
  assert.equal(createDemoRougeFilter(0.5).check(c, earlier).accepted, true);
  assert.equal(createDemoRougeFilter(0.49).check(c, earlier).accepted, false);
});

test("a prompt written without demos passes with score 0", () => {
  assert.deepEqual(createDemoRougeFilter(0.7).check(candidate(0), earlier), {
    accepted: true,
    reason: "no demo prompts to compare with",
    score: 0,
  });
});

test("refuses a threshold outside 0..1", () => {
  for (const bad of [-0.1, 1.5, Number.NaN]) {
    assert.throws(
      () => createDemoRougeFilter(bad),
      (err) => isIsaraError(err, "invalid_argument") && /from 0 to 1/.test(err.message),
    );
  }
});
