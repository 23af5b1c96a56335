import assert from "node:assert/strict";
import { test } from "node:test";
import { domainConfigSchema } from "./domain.js";
import { MIN_SIZED_TOKENS, seedTokenLimit, slotSettings } from "./stage-settings.js";

/** One token per word: enough to see the rule. */
const words = { countTokens: (text: string) => text.trim().split(/\s+/).length };
const seeds = Array.from({ length: 10 }, (_, i) => ({
  prompt: "Is it true that this is a question?",
  response: Array.from({ length: 10 + i }, () => "word").join(" "),
}));

test("seeds size the limit: 1.5 × the 90th percentile of their tokens, under the configured ceiling", () => {
  // Answer tokens 10…19: the 90th percentile is 18, so 27 tokens.
  assert.equal(seedTokenLimit({ seeds, tokenizer: words }, "answer", 100), 27);
  assert.equal(seedTokenLimit({ seeds, tokenizer: words }, "answer", 20), 20, "maxTokens stays the ceiling");
  assert.equal(seedTokenLimit({ seeds, tokenizer: words }, "prompt", 100), MIN_SIZED_TOKENS, "12 < 16");
});

test("slotSettings sizes only with tokenLimits 'seeds' and seeds to size from", () => {
  const config = domainConfigSchema.parse({ name: "d" });
  assert.equal(config.isara.tokenLimits, "seeds");
  const sizing = { seeds, tokenizer: words };
  assert.equal(slotSettings(config, "answer", sizing).sampling.maxTokens, 27);
  assert.equal(
    slotSettings(config, "answer").sampling.maxTokens,
    100,
    "no sizing given: the configured limit",
  );
  const fixed = domainConfigSchema.parse({ name: "d", isara: { tokenLimits: "fixed" } });
  assert.equal(slotSettings(fixed, "answer", sizing).sampling.maxTokens, 100);
  assert.equal(slotSettings(config, "answer", { seeds: [], tokenizer: words }).sampling.maxTokens, 100);
});
