import assert from "node:assert/strict";
import { test } from "node:test";
import { candidate } from "../../testing/filters/candidate.fixture.js";
import { isIsaraError } from "../errors.js";
import { createMinWordsFilter, MIN_WORDS } from "./min-words.js";

const earlier = { prompts: [], byKey: new Map(), seedAnswerWords: null, seedsEndSentences: null };
const filter = createMinWordsFilter(5);

test("rejects a short prompt, a short answer, or both, saying which", () => {
  assert.equal(filter.name, MIN_WORDS);
  assert.deepEqual(filter.check(candidate(0, { prompt: "Why is sky blue?" }), earlier), {
    accepted: false,
    reason: "prompt has 4 words, answer has 16 words: prompt under 5",
    score: 4,
  });
  assert.deepEqual(filter.check(candidate(0, { response: "Yes." }), earlier), {
    accepted: false,
    reason: "prompt has 12 words, answer has 1 word: answer under 5",
    score: 1,
  });
  const both = filter.check(candidate(0, { prompt: "Hi", response: "" }), earlier);
  assert.deepEqual(both, {
    accepted: false,
    reason: "prompt has 1 word, answer has 0 words: prompt and answer under 5",
    score: 0,
  });
});

test("accepts exactly the minimum", () => {
  const ok = filter.check(
    candidate(0, { prompt: "Why is the sky blue?", response: "Light scatters off air molecules." }),
    earlier,
  );
  assert.deepEqual(ok, {
    accepted: true,
    reason: "prompt has 5 words, answer has 5 words (at least 5)",
    score: 5,
  });
});

test("a minimum of 0 accepts even empty text", () => {
  assert.equal(
    createMinWordsFilter(0).check(candidate(0, { prompt: "", response: "" }), earlier).accepted,
    true,
  );
});

test("refuses a minimum that is negative or fractional", () => {
  for (const bad of [-1, 2.5]) {
    assert.throws(
      () => createMinWordsFilter(bad),
      (err) => isIsaraError(err, "invalid_argument") && /non-negative integer/.test(err.message),
    );
  }
});
