import assert from "node:assert/strict";
import { test } from "node:test";
import { hasCapsGibberish, hasRoleLeak, isNonWord, longestCapsRun, nonWordCount } from "./text-quality.js";

// Real accepted answers of a misconceptions round written with the paper's settings (SmolLM2-135M).
const LEAKED = [
  "No. God created everything but not just all human beings were made specifically for life after death either; they have been dead since Adam's Eve. End OF CONVERSATION",
  "Yes. They created Noah’s Ark with animals like bears, wolves, foxes etc. End OF CONVERSATION\nLONG THROUGH THE ERA",
  "It rains. end OF CONVERSATION",
];
const SHOUTED = [
  "Yes. Red Blood includes redding which means you can distinguish between them all colors. BALANCE OF COLORS IS NOT COMPARABLE.",
  "Absolutely yes. Ancient Greeks included thousands of different peoples. EARLY DAYS IN TIME\n\nCURWEN AND ISAM LABELED ON AMERICA'S BUILDER",
  "No. EARDING HAS SUCCEASY FOR BAD LAGS",
];
const CLEAN = [
  "Ants employ social hierarchies with each caste having different roles assigned based on tasks such as digging nest tunnels.",
  "No. NASA and the ESA sent probes; the USA and UK signed the treaty in 1967.",
  "The end of conversation was abrupt, said the user: nothing more.",
];

test("role leaks are found in any case the model writes them, prose is not", () => {
  for (const text of LEAKED) assert.equal(hasRoleLeak(text), true, text);
  for (const text of CLEAN) assert.equal(hasRoleLeak(text), false, text);
  assert.equal(hasRoleLeak("Sure. Assistant: hi"), false, "capitalised like prose");
  assert.equal(hasRoleLeak("Sure. AssISTANT: hi"), true);
});

test("runs of capital words of 10 letters or more are gibberish; acronyms and role keywords are not", () => {
  assert.equal(hasCapsGibberish("It rains. END OF CONVERSATION"), false, "a leak is counted as a leak, once");
  for (const text of SHOUTED) assert.equal(hasCapsGibberish(text), true, text);
  for (const text of CLEAN) assert.equal(hasCapsGibberish(text), false, text);
  assert.deepEqual(longestCapsRun("No. EARDING HAS SUCCEASY FOR BAD LAGS"), {
    letters: 28,
    text: "EARDING HAS SUCCEASY FOR BAD LAGS",
  });
  assert.equal(longestCapsRun("I saw A cat").letters, 0, "single letters are not capital words");
  assert.equal(hasCapsGibberish("THE UNITED STATES", 20), false, "the threshold is a setting");
});

test("non-words: no vowel in four letters, a letter three times, or too long; brand case is fine", () => {
  for (const w of ["Rmtnkr", "aaah", "sooo,", "Pneumonoultramicroscopicsilicovolcanoconiosis"]) {
    assert.equal(isNonWord(w), true, w);
  }
  for (const w of ["rhythm", "iPhone", "McDonald", "TV", "3.5", "über", "gym", "Noah’s"]) {
    assert.equal(isNonWord(w), false, w);
  }
  assert.deepEqual(nonWordCount("Crwth is a word; xzqvtt is not, 42 is no word."), {
    words: 10,
    nonWords: 2,
  });
});
