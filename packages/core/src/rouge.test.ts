import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { lcsLength, rougeL, rougeLMax, rougeLTokens, rougeTokenize } from "./rouge.js";

// Expected numbers below were printed by rouge-score 0.1.2 (RougeScorer(["rougeL"], use_stemmer=False)).

describe("rougeTokenize", () => {
  test("lowercases and splits on anything outside [a-z0-9]", () => {
    assert.deepEqual(rougeTokenize("Don't panic: it's 42 (forty-two)!"), [
      "don",
      "t",
      "panic",
      "it",
      "s",
      "42",
      "forty",
      "two",
    ]);
    assert.deepEqual(rougeTokenize("tab\there\nnew"), ["tab", "here", "new"]);
  });

  test("drops non-ASCII letters the way rouge-score does", () => {
    assert.deepEqual(rougeTokenize("naïve café — ÉCOLE"), ["na", "ve", "caf", "cole"]);
    assert.deepEqual(rougeTokenize("日本語 text"), ["text"]);
    assert.deepEqual(rougeTokenize("İzmir"), ["i", "zmir"]);
    assert.deepEqual(rougeTokenize("\u212Aelvin"), ["kelvin"]);
  });

  test("gives no tokens for empty or punctuation-only text", () => {
    assert.deepEqual(rougeTokenize(""), []);
    assert.deepEqual(rougeTokenize(" ...!!! "), []);
  });
});

describe("lcsLength", () => {
  test("is the longest common subsequence, whichever side is longer", () => {
    const a = ["a", "b", "c", "b", "d", "a", "b"];
    const b = ["b", "d", "c", "a", "b", "a"];
    assert.equal(lcsLength(a, b), 4);
    assert.equal(lcsLength(b, a), 4);
    assert.equal(lcsLength([], a), 0);
    assert.equal(lcsLength(a, a), a.length);
  });
});

describe("rougeL", () => {
  test("matches rouge-score on the package's own example", () => {
    const s = rougeL("The quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.");
    assert.deepEqual(s, { precision: 0.625, recall: 0.5555555555555556, fmeasure: 0.5882352941176471 });
  });

  test("puts the prediction's length under precision and the target's under recall", () => {
    assert.deepEqual(rougeL("testing one two", "testing"), {
      precision: 1,
      recall: 0.3333333333333333,
      fmeasure: 0.5,
    });
    assert.deepEqual(rougeL("Café au lait, 3.14!", "caf au 3 14"), {
      precision: 1,
      recall: 0.8,
      fmeasure: 0.888888888888889,
    });
  });

  test("scores 0 when either side has no tokens", () => {
    const zero = { precision: 0, recall: 0, fmeasure: 0 };
    assert.deepEqual(rougeL("", "x"), zero);
    assert.deepEqual(rougeL("x", ""), zero);
    assert.deepEqual(rougeL("...", "!!!"), zero);
    assert.deepEqual(rougeLTokens([], []), zero);
  });

  test("scores identical texts 1 regardless of case and punctuation", () => {
    assert.equal(rougeL("İstanbul KELVIN", "i stanbul kelvin").fmeasure, 1);
    assert.equal(rougeL("What is ROUGE?", "what is rouge").fmeasure, 1);
  });
});

describe("rougeLMax", () => {
  test("returns the best reference and the first one on ties", () => {
    const best = rougeLMax("a b", ["x", "a b c", "a b", "b a"]);
    assert.equal(best.index, 2);
    assert.equal(best.fmeasure, 1);
    // Same F1 (2/3) with precision and recall swapped: the first reference wins, as with np.argmax.
    assert.deepEqual(rougeLMax("a b", ["a", "a b c d"]), {
      precision: 0.5,
      recall: 1,
      fmeasure: 2 / 3,
      index: 0,
    });
    assert.deepEqual(rougeLMax("a b", ["a b c d", "a"]), {
      precision: 1,
      recall: 0.5,
      fmeasure: 2 / 3,
      index: 0,
    });
  });

  test("equals the best single rougeL score", () => {
    const refs = ["The sky is blue", "Blue is the colour of the sky", "Grass is green"];
    const prediction = "The sky looks blue";
    const best = rougeLMax(prediction, refs);
    const singles = refs.map((r) => rougeL(r, prediction));
    assert.deepEqual(best, { ...singles[0], index: 0 });
    assert.ok(singles.every((s) => s.fmeasure <= best.fmeasure));
  });

  test("scores 0 with index -1 when there are no references", () => {
    assert.deepEqual(rougeLMax("anything", []), { precision: 0, recall: 0, fmeasure: 0, index: -1 });
  });
});
