import assert from "node:assert/strict";
import { test } from "node:test";
import { endsSentence, isUnfinished, sentenceEndShare, trimToLastSentence } from "./sentence-end.js";

test("endsSentence: terminators, closing quotes and brackets, trailing space", () => {
  for (const text of ["Yes.", "Really?", "Stop!", "So it goes…", 'He said "no."', "(It is.)", "Done.  "]) {
    assert.equal(endsSentence(text), true, text);
  }
  for (const text of ["", "It is the best way to", "Version 3", "a list:", "Paris,"]) {
    assert.equal(endsSentence(text), false, text);
  }
});

test("trimToLastSentence keeps the complete sentences of a turn cut at the token limit", () => {
  // Shapes taken from the demo's accepted answers (the token limit stopped them mid-sentence).
  assert.equal(
    trimToLastSentence("Lightning can strike the same place twice. Tall buildings are hit many times a"),
    "Lightning can strike the same place twice.",
  );
  assert.equal(trimToLastSentence("No. It is 3.5 times as large as the"), "No.");
  assert.equal(trimToLastSentence('She said "never." and then the'), 'She said "never."');
  assert.equal(trimToLastSentence("no sentence ends here"), "");
  assert.equal(trimToLastSentence("Complete already."), "Complete already.");
});

test("isUnfinished: a cut answer always, a bare ending only where the seeds end their sentences", () => {
  // TruthfulQA's seed answers mostly end without a period ("Nothing happens"): 1 of 64 ends one.
  const truthfulqa = 1 / 64;
  assert.equal(
    isUnfinished("Nothing happens", false, truthfulqa),
    false,
    "closed by the model, the seeds' style",
  );
  assert.equal(
    isUnfinished("The watermelon seeds pass through your", true, truthfulqa),
    true,
    "cut by the limit",
  );
  assert.equal(isUnfinished("Nothing happens.", true, truthfulqa), false, "ends a sentence");
  // The misconceptions example's seeds end sentences: a bare ending is a cut the writer did not report.
  assert.equal(isUnfinished("It is the best way to", false, 1), true);
  assert.equal(
    isUnfinished("It is the best way to", undefined, null),
    true,
    "no seeds: the punctuation rule",
  );
  assert.equal(sentenceEndShare(["Yes.", "No", "Maybe.", "never"]), 0.5);
  assert.equal(sentenceEndShare([]), null);
});
