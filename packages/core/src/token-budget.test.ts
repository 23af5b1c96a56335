import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "./errors.js";
import type { Tokenizer } from "./ports.js";
import { answerPrompt, questionPrompt } from "./prompt-format.js";
import { fitDemos } from "./token-budget.js";

/** Fake standing for a model's tokenizer: one token per character, so budgets are easy to compute. */
const charTokenizer: Tokenizer = { countTokens: (text) => text.length };

const demos = [
  { prompt: "Q1?", response: "A1." },
  { prompt: "Q2?", response: "A2." },
  { prompt: "Q3?", response: "A3." },
];
const renderAnswer = (kept: readonly { prompt: string; response: string }[]) => answerPrompt(kept, "New?");

test("when everything fits, every demo is kept in order and the token count is reported", () => {
  const full = renderAnswer(demos);
  const fitted = fitDemos(demos, renderAnswer, charTokenizer, full.length);
  assert.deepEqual(fitted.kept, demos);
  assert.deepEqual(fitted.dropped, []);
  assert.equal(fitted.prompt, full);
  assert.equal(fitted.tokens, full.length);
  assert.equal(fitted.withinBudget, true);
});

test("demos that overflow are dropped from the end; the question stays", () => {
  const budget = renderAnswer(demos.slice(0, 2)).length;
  const fitted = fitDemos(demos, renderAnswer, charTokenizer, budget - 1);
  assert.deepEqual(fitted.kept, demos.slice(0, 1));
  assert.deepEqual(fitted.dropped, demos.slice(1));
  assert.equal(fitted.prompt, renderAnswer(demos.slice(0, 1)));
  assert.ok(fitted.prompt.endsWith("USER: New? ASSISTANT:"));
  assert.ok(fitted.tokens <= budget - 1);
});

test("dropFrom 'start' keeps the demos nearest the open ending", () => {
  const budget = renderAnswer(demos.slice(1)).length;
  const fitted = fitDemos(demos, renderAnswer, charTokenizer, budget, { dropFrom: "start" });
  assert.deepEqual(fitted.kept, demos.slice(1));
  assert.deepEqual(fitted.dropped, demos.slice(0, 1));
});

test("a prompt with no room for any demo keeps the open ending and says it is over budget", () => {
  const fitted = fitDemos(demos, questionPrompt, charTokenizer, 10);
  assert.deepEqual(fitted.kept, []);
  assert.deepEqual(fitted.dropped, demos);
  assert.equal(fitted.prompt, "BEGINNING OF CONVERSATION: USER:");
  assert.equal(fitted.withinBudget, false);
});

test("a demo-free prompt that fits exactly is within budget", () => {
  const fitted = fitDemos([], questionPrompt, charTokenizer, questionPrompt([]).length);
  assert.equal(fitted.withinBudget, true);
  assert.deepEqual(fitted.kept, []);
});

test("the tokenizer decides, not the character count", () => {
  const wordTokenizer: Tokenizer = { countTokens: (text) => text.split(/\s+/).filter(Boolean).length };
  const words = wordTokenizer.countTokens(renderAnswer(demos));
  assert.deepEqual(fitDemos(demos, renderAnswer, wordTokenizer, words).kept, demos);
  assert.equal(fitDemos(demos, renderAnswer, wordTokenizer, words - 1).kept.length, 2);
});

test("a budget that is not a positive integer is refused", () => {
  for (const budget of [0, -5, 12.5, Number.NaN]) {
    assert.throws(
      () => fitDemos(demos, renderAnswer, charTokenizer, budget),
      (err) => isIsaraError(err, "invalid_argument") && /promptBudgetTokens/.test(err.message),
    );
  }
});
