import assert from "node:assert/strict";
import { test } from "node:test";
import { countWords, normalizeWhitespace, promptKey } from "./words.js";

test("countWords counts whitespace-separated tokens, punctuation attached", () => {
  assert.equal(countWords("Why is the sky blue?"), 5);
  assert.equal(countWords("  one\ttwo\nthree  "), 3);
  assert.equal(countWords("well — maybe"), 3);
  assert.equal(countWords("no\u00a0break space"), 3);
  assert.equal(countWords(""), 0);
  assert.equal(countWords(" \n "), 0);
});

test("normalizeWhitespace trims and collapses whitespace but keeps case and punctuation", () => {
  assert.equal(normalizeWhitespace("  What  is\n\nIt? "), "What is It?");
  assert.equal(normalizeWhitespace(""), "");
});

test("promptKey makes whitespace-only variants the same prompt and case variants different", () => {
  assert.equal(promptKey("How do I cook rice?\n"), promptKey("How do I  cook rice?"));
  assert.notEqual(promptKey("How do I cook rice?"), promptKey("how do i cook rice?"));
});
