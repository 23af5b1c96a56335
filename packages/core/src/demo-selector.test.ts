import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type DemoPick,
  pickedRefs,
  pickedSamples,
  selectNearestDemos,
  selectRandomDemos,
} from "./demo-selector.js";
import { isIsaraError } from "./errors.js";
import type { ScoredSample, Tokenizer } from "./ports.js";
import { answerPrompt } from "./prompt-format.js";
import { createRng, deriveSeed } from "./rng.js";
import { type Sample, sampleId, seedLineage } from "./sample.js";
import { fitDemos } from "./token-budget.js";

function makeSample(setIndex: number, slot: number, prompt = `prompt ${setIndex}.${slot}`): Sample {
  return {
    id: sampleId("run-1", setIndex, slot),
    run: "run-1",
    domain: "truthful",
    round: setIndex,
    setIndex,
    slot,
    prompt,
    response: `response ${setIndex}.${slot}`,
    lineage: seedLineage(),
  };
}

const seeds = Array.from({ length: 10 }, (_, i) => makeSample(0, i));
const d1 = Array.from({ length: 5 }, (_, i) => makeSample(1, i));
const d2 = Array.from({ length: 5 }, (_, i) => makeSample(2, i));
const sets = [seeds, d1, d2];

const countBySet = (refs: readonly { setIndex: number }[]) =>
  refs.reduce((acc, r) => acc.set(r.setIndex, (acc.get(r.setIndex) ?? 0) + 1), new Map<number, number>());

test("random selection fills each set's quota with distinct samples of that set", () => {
  const { picks, dropFrom } = selectRandomDemos(sets, [6, 1, 1], createRng(1));
  assert.equal(picks.length, 8);
  assert.deepEqual(
    countBySet(pickedRefs(picks)),
    new Map([
      [0, 6],
      [1, 1],
      [2, 1],
    ]),
  );
  assert.equal(new Set(picks.map((p) => p.sample.id)).size, 8);
  for (const { sample, ref } of picks) {
    assert.equal(ref.id, sample.id);
    assert.equal(ref.score, null);
    assert.ok(sets[ref.setIndex]?.includes(sample));
  }
  assert.equal(dropFrom, "end");
});

test("random selection is reproducible per slot seed and varies across slots", () => {
  const forSlot = (slot: number) =>
    pickedRefs(selectRandomDemos(sets, [6, 1, 1], createRng(deriveSeed(42, "prompt-demos", 3, slot))).picks);
  assert.deepEqual(forSlot(0), forSlot(0));
  assert.notDeepEqual(forSlot(0), forSlot(1));
});

test("a set smaller than its quota gives what it has; a zero quota gives nothing", () => {
  const { picks } = selectRandomDemos([seeds, d1.slice(0, 1), []], [2, 3, 1], createRng(3));
  assert.deepEqual(
    countBySet(pickedRefs(picks)),
    new Map([
      [0, 2],
      [1, 1],
    ]),
  );
  assert.equal(selectRandomDemos(sets, [0, 0, 0], createRng(3)).picks.length, 0);
});

test("over many slots every seed is used about equally and the newest set's demo moves around", () => {
  const seedUse = new Map<string, number>();
  const d2Position = new Map<number, number>();
  for (let slot = 0; slot < 2000; slot++) {
    const { picks } = selectRandomDemos(sets, [6, 1, 1], createRng(deriveSeed(0, "prompt-demos", 3, slot)));
    picks.forEach((p, position) => {
      if (p.ref.setIndex === 0) seedUse.set(p.sample.id, (seedUse.get(p.sample.id) ?? 0) + 1);
      if (p.ref.setIndex === 2) d2Position.set(position, (d2Position.get(position) ?? 0) + 1);
    });
  }
  assert.equal(seedUse.size, 10);
  for (const uses of seedUse.values())
    assert.ok(uses > 1000 && uses < 1400, `seed used ${uses} times, expected ~1200`);
  assert.equal(d2Position.size, 8, "the D2 demo appears at every position");
});

test("quotas must match the sets", () => {
  assert.throws(
    () => selectRandomDemos(sets, [8], createRng(1)),
    (err) => isIsaraError(err, "invalid_argument") && /3 sets but 1 quotas/.test(err.message),
  );
  assert.throws(
    () => selectNearestDemos("q", [[]], [-1]),
    (err) => isIsaraError(err, "invalid_argument") && /quota of set 0/.test(err.message),
  );
});

const hit = (sample: Sample, score: number): ScoredSample => ({ sample, score });

test("nearest selection takes the most similar hits per quota, most similar last", () => {
  const results = [
    [hit(seeds[0] as Sample, 0.9), hit(seeds[1] as Sample, 0.5), hit(seeds[2] as Sample, 0.7)],
    [hit(d1[0] as Sample, 0.8), hit(d1[1] as Sample, 0.95)],
  ];
  const { picks, dropFrom } = selectNearestDemos("A new question?", results, [2, 1]);
  assert.deepEqual(pickedRefs(picks), [
    { id: seeds[2]?.id, setIndex: 0, score: 0.7 },
    { id: seeds[0]?.id, setIndex: 0, score: 0.9 },
    { id: d1[1]?.id, setIndex: 1, score: 0.95 },
  ]);
  assert.deepEqual(pickedSamples(picks), [seeds[2], seeds[0], d1[1]]);
  assert.equal(dropFrom, "start");
});

test("a hit whose prompt is the question itself is never shown", () => {
  const same = makeSample(1, 9, "  Is the earth flat?\n");
  const results = [[hit(seeds[0] as Sample, 0.4)], [hit(same, 1), hit(d1[0] as Sample, 0.6)]];
  const { picks } = selectNearestDemos("Is the earth flat?", results, [1, 1]);
  assert.deepEqual(
    picks.map((p) => p.sample.id),
    [seeds[0]?.id, d1[0]?.id],
  );
});

test("a prompt already picked from an earlier set is not shown twice; the later set takes its next hit", () => {
  const copyOfSeed = makeSample(1, 7, seeds[0]?.prompt);
  const results = [[hit(seeds[0] as Sample, 0.9)], [hit(copyOfSeed, 0.9), hit(d1[2] as Sample, 0.3)]];
  const { picks } = selectNearestDemos("q?", results, [1, 1]);
  assert.deepEqual(
    picks.map((p) => p.sample.id),
    [d1[2]?.id, seeds[0]?.id],
  );
});

test("fewer usable hits than the quota give fewer demos", () => {
  const { picks } = selectNearestDemos("q?", [[hit(seeds[0] as Sample, 0.2)], []], [3, 1]);
  assert.equal(picks.length, 1);
});

test("nearest selection refuses non-finite scores", () => {
  assert.throws(
    () => selectNearestDemos("q?", [[hit(seeds[0] as Sample, Number.NaN)]], [1]),
    (err) => isIsaraError(err, "invalid_argument") && /must be finite/.test(err.message),
  );
});

test("under a tight budget the least similar demo is dropped, the most similar stays by the question", () => {
  const results = [
    [hit(seeds[0] as Sample, 0.1), hit(seeds[1] as Sample, 0.8), hit(seeds[2] as Sample, 0.5)],
  ];
  const selection = selectNearestDemos("Q?", results, [3]);
  const render = (kept: readonly DemoPick[]) => answerPrompt(pickedSamples(kept), "Q?");
  /** Fake standing for a model's tokenizer: one token per character. */
  const charTokenizer: Tokenizer = { countTokens: (text) => text.length };
  const budget = render(selection.picks.slice(1)).length;
  const fitted = fitDemos(selection.picks, render, charTokenizer, budget, { dropFrom: selection.dropFrom });
  assert.deepEqual(
    pickedRefs(fitted.dropped).map((r) => r.score),
    [0.1],
  );
  assert.deepEqual(
    pickedRefs(fitted.kept).map((r) => r.score),
    [0.5, 0.8],
  );
});
