import assert from "node:assert/strict";
import { test } from "node:test";
import { bleuMax, bleuTokenize, sentenceBleu } from "./bleu.js";

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-12, `${what}: ${actual} is not ${expected}`);

test("an answer equal to the reference scores 1", () => {
  close(sentenceBleu("The cat sat on the mat.", "The cat sat on the mat."), 1, "identical");
});

test("an answer sharing no token with the reference scores 0", () => {
  assert.equal(sentenceBleu("a b c d", "w x y z"), 0);
});

test("BLEU is case sensitive, as TruthfulQA runs it (no lowercasing)", () => {
  assert.equal(sentenceBleu("THE CAT SAT DOWN", "the cat sat down"), 0);
});

test("an answer shorter than the reference pays the brevity penalty exp(1 - ref/hyp)", () => {
  // Every n-gram of the 5-token answer is in the 6-token reference: precisions 1, penalty e^-0.2.
  close(sentenceBleu("the cat sat on the", "the cat sat on the mat"), Math.exp(-0.2), "brevity");
  // A longer answer pays no penalty; its extra tokens lower the precisions instead.
  close(
    sentenceBleu("the cat sat on the mat", "the cat sat on the"),
    (5 / 6) ** 0.25 * (4 / 5) ** 0.25 * (3 / 4) ** 0.25 * (2 / 3) ** 0.25,
    "longer",
  );
});

test("an order with no match is smoothed to 1 / (2^k * n-grams) instead of zeroing the score", () => {
  // 1-grams 3/4, 2-grams 2/3, 3-grams 1/2, 4-grams 0/1 smoothed to 1/2: (1/8)^(1/4).
  close(sentenceBleu("a b c d", "a b c e"), 0.125 ** 0.25, "one missing order");
  // 1-grams 2/4; 2-, 3- and 4-grams missing: 1/(2*3), 1/(4*2), 1/(8*1).
  close(sentenceBleu("a x b y", "a b"), (0.5 * (1 / 6) * (1 / 8) * (1 / 8)) ** 0.25, "three missing orders");
});

test("an answer under 4 tokens has no 4-grams and scores 0, even when it equals the reference", () => {
  assert.equal(sentenceBleu("Nothing happens", "Nothing happens"), 0);
  close(sentenceBleu("Nothing happens at all", "Nothing happens at all"), 1, "4 tokens");
});

test("empty texts score 0 on either side", () => {
  assert.equal(sentenceBleu("", "something to match"), 0);
  assert.equal(sentenceBleu("something to match here", ""), 0);
});

test("punctuation splits off except between digits, and symbols always split", () => {
  assert.deepEqual(bleuTokenize("Hello, world!"), ["Hello", ",", "world", "!"]);
  assert.deepEqual(bleuTokenize("3.14 and 1,000"), ["3.14", "and", "1,000"]);
  assert.deepEqual(bleuTokenize("don't"), ["don", "'", "t"]);
  assert.deepEqual(bleuTokenize("e.g. U.S.A."), ["e", ".", "g", ".", "U", ".", "S", ".", "A", "."]);
  assert.deepEqual(bleuTokenize("$5 is 50% off, x+y=z"), [
    "$",
    "5",
    "is",
    "50",
    "%",
    "off",
    ",",
    "x",
    "+",
    "y",
    "=",
    "z",
  ]);
});

test("a number keeps its final period, even before trailing whitespace (mteval-v14 quirk)", () => {
  assert.deepEqual(bleuTokenize("in 1999."), ["in", "1999."]);
  assert.deepEqual(bleuTokenize("in 1999.\n"), ["in", "1999."]);
  assert.deepEqual(bleuTokenize("in 1999. Then"), ["in", "1999", ".", "Then"]);
});

test("Unicode punctuation, symbols and letters follow their categories; whitespace is Python's", () => {
  assert.deepEqual(bleuTokenize("café—naïve «quoted»"), ["café", "—", "naïve", "«", "quoted", "»"]);
  assert.deepEqual(bleuTokenize("emoji 🙂!"), ["emoji", "🙂", "!"]);
  // No-break space, next line (U+0085) and file separator split; a byte-order mark does not.
  assert.deepEqual(bleuTokenize("a\u00a0b\u0085c\u001cd"), ["a", "b", "c", "d"]);
  assert.deepEqual(bleuTokenize("a\ufeffb"), ["a\ufeffb"]);
});

test("bleuMax takes the best reference, each scored alone, and is 0 without references", () => {
  const best = bleuMax("the cat sat on the", ["a dog ran off", "the cat sat on the mat", "the cat"]);
  close(best, Math.exp(-0.2), "best of three");
  assert.equal(bleuMax("the cat sat on the mat", []), 0);
});
