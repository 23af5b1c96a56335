import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDomain } from "./domain-parse.js";

const seeds = Array.from({ length: 8 }, (_, i) => ({ prompt: `Question ${i}?`, response: `Answer ${i}.` }));
const evalItems = [{ id: "e", prompt: "Held out?", correct: ["Yes."] }];
const parse = (config: object) =>
  parseDomain({ config: { name: "d", ...config }, seeds, eval: evalItems }).config;

test("without a preset, this project's defaults: windowed penalty, trimmed turns, sized limits, quality filters", () => {
  const c = parse({});
  assert.equal(c.isara.answerSampling.repetitionWindow, 64);
  assert.equal(c.isara.answerSampling.unfinished, "trim");
  assert.equal(c.isara.tokenLimits, "seeds");
  assert.equal(c.filterPreset, "quality");
});

test("the paper preset gives the paper's values where domain.json says nothing", () => {
  const c = parse({ preset: "paper" });
  assert.deepEqual(c.isara.answerSampling, {
    maxTokens: 100,
    temperature: 0.7,
    topP: 0.9,
    repetitionPenalty: 1.2,
    repetitionWindow: 0,
    unfinished: "keep",
  });
  assert.equal(c.isara.promptSampling.repetitionPenalty, 1.05);
  assert.equal(c.isara.tokenLimits, "fixed");
  assert.equal(c.filterPreset, "paper");
  assert.equal(c.preset, "paper");
});

test("what domain.json sets wins over the preset, key by key", () => {
  const c = parse({
    preset: "paper",
    isara: {
      answerSampling: {
        maxTokens: 64,
        temperature: 0.7,
        topP: 0.9,
        repetitionPenalty: 1.2,
        repetitionWindow: 32,
      },
    },
    filterPreset: "quality",
  });
  assert.equal(c.isara.answerSampling.maxTokens, 64);
  assert.equal(c.isara.answerSampling.repetitionWindow, 32);
  assert.equal(c.isara.answerSampling.unfinished, "keep", "not set: the preset's");
  assert.equal(c.filterPreset, "quality");
});

test("an unknown preset is refused at the door, naming the field", () => {
  assert.throws(
    () => parse({ preset: "papr" }),
    (err: Error) => /preset/.test(err.message) && /paper/.test(err.message),
  );
});
