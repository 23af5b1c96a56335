import assert from "node:assert/strict";
import { test } from "node:test";
import { candidate } from "../../testing/filters/candidate.fixture.js";
import { ANSWER_IN_PROMPT, createAnswerInPromptFilter } from "./answer-in-prompt.js";

const earlier = { prompts: [], byKey: new Map(), seedAnswerWords: null, seedsEndSentences: null };
const filter = createAnswerInPromptFilter();

test("rejects an answer that appears in the prompt, ignoring case and spacing", () => {
  assert.equal(filter.name, ANSWER_IN_PROMPT);
  const echoed = candidate(0, {
    prompt: "Is it true that PARIS IS THE  CAPITAL of France? I think so.",
    response: "Paris is the capital\nof France",
  });
  assert.deepEqual(filter.check(echoed, earlier), {
    accepted: false,
    reason: "answer appears verbatim in the prompt",
  });
});

test("rejects an empty or whitespace-only answer", () => {
  assert.deepEqual(filter.check(candidate(0, { response: " \n" }), earlier), {
    accepted: false,
    reason: "answer is empty",
  });
});

test("accepts an answer that only shares words with the prompt", () => {
  const c = candidate(0, {
    prompt: "What is the capital of France?",
    response: "The capital of France is Paris.",
  });
  assert.deepEqual(filter.check(c, earlier), { accepted: true, reason: "answer is not part of the prompt" });
});
