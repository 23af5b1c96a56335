import assert from "node:assert/strict";
import { test } from "node:test";
import { candidate } from "../../testing/filters/candidate.fixture.js";
import { domainConfigSchema } from "../domain.js";
import { isIsaraError } from "../errors.js";
import { runFilterChain } from "./chain.js";
import type { FilterDefinition } from "./definition.js";
import type { CandidateVectors, EarlierPrompt, Filter, FilterCandidate } from "./filter.js";
import { gibberishFilter } from "./gibberish.js";
import { lengthRatioFilter } from "./length-ratio.js";
import { nearDuplicateFilter } from "./near-duplicate.js";
import { checkFilterChain } from "./registry.js";
import { relevanceFilter } from "./relevance.js";
import { roleLeakFilter } from "./role-leak.js";
import { unfinishedFilter } from "./unfinished.js";

const build = (definition: FilterDefinition, settings: object = {}) =>
  definition.create(definition.settings.parse(settings), {});

const unit = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs.map((x) => x / n));
};
const withVectors = (slot: number, vectors: CandidateVectors, over: Partial<FilterCandidate> = {}) =>
  candidate(slot, { ...over, vectors });

async function judge(filter: Filter, candidates: FilterCandidate[], earlier: EarlierPrompt[] = []) {
  const results = await runFilterChain(candidates, [filter], { earlier });
  return results.map((r) => r.verdicts[0]);
}

// Real answers of a misconceptions round written with the paper's settings (SmolLM2-135M).
const REAL = {
  leak: "No. God created everything but not just all human beings were made specifically for life after death either. End OF CONVERSATION",
  shouted:
    "Yes. Red Blood includes redding which means you can distinguish between them all colors. BALANCE OF COLORS IS NOT COMPARABLE.",
  cut: "No. In fact, all things exist somewhere else on earth – everything has its own subjective existence versus objective reality - but you cannot physically prove this concept for one person because",
  clean:
    "Ants employ social hierarchies with each caste having different roles assigned based on tasks such as digging nest tunnels.",
};

test("role-leak drops a keyword in any case, in the answer or the prompt, and says which", async () => {
  const [leak, prompt, clean] = await judge(build(roleLeakFilter), [
    candidate(0, { response: REAL.leak }),
    candidate(1, { prompt: "What is it? ASSISTANT: nothing", response: REAL.clean }),
    candidate(2, { response: REAL.clean }),
  ]);
  assert.equal(leak?.accepted, false);
  assert.match(leak?.reason ?? "", /answer contains the role keyword "End OF CONVERSATION"/);
  assert.match(prompt?.reason ?? "", /^prompt contains/);
  assert.equal(clean?.accepted, true);
});

test("gibberish drops capital runs and answers full of non-words; its thresholds are settings", async () => {
  const [shouted, nonsense, clean] = await judge(build(gibberishFilter), [
    candidate(0, { response: REAL.shouted }),
    candidate(1, { response: "Xzqvt brrrr mnbvc sdfgh lkjhg is what it says." }),
    candidate(2, { response: REAL.clean }),
  ]);
  assert.equal(shouted?.accepted, false);
  assert.match(
    shouted?.reason ?? "",
    /run of capitals of 30 letters \("BALANCE OF COLORS IS NOT COMPARABLE"\)/,
  );
  assert.equal(shouted?.score, 30);
  assert.equal(nonsense?.accepted, false);
  assert.match(nonsense?.reason ?? "", /5 of the answer's 9 words are not words/);
  assert.equal(clean?.accepted, true);
  const [lenient] = await judge(build(gibberishFilter, { minCapsRunLetters: 40 }), [
    candidate(0, { response: REAL.shouted }),
  ]);
  assert.equal(lenient?.accepted, true);
});

test("unfinished drops an answer cut mid-sentence and keeps a closed one", async () => {
  const [cut, done] = await judge(build(unfinishedFilter), [
    candidate(0, { response: REAL.cut }),
    candidate(1, { response: REAL.clean }),
  ]);
  assert.equal(cut?.accepted, false);
  assert.match(cut?.reason ?? "", /stops mid-sentence \("…for one person because"\)/);
  assert.equal(done?.accepted, true);
});

test("unfinished follows the seeds' style: bare endings pass when the seeds' answers have them, cuts never do", async () => {
  // TruthfulQA's best answers mostly end without a period ("Nothing happens").
  const earlier = [
    { id: "s0", setIndex: 0, prompt: "q0", response: "Nothing happens" },
    { id: "s1", setIndex: 0, prompt: "q1", response: "The seeds pass through your digestive system" },
    { id: "s2", setIndex: 0, prompt: "q2", response: "No." },
  ];
  const verdicts = await judge(
    build(unfinishedFilter),
    [
      candidate(0, { response: "You digest the seeds", truncated: false }),
      candidate(1, { response: "You digest the seeds and the", truncated: true }),
    ],
    earlier,
  );
  assert.deepEqual(
    verdicts.map((v) => v?.accepted),
    [true, false],
  );
  assert.match(verdicts[0]?.reason ?? "", /33% of the seeds' answers end a sentence/);
  assert.match(verdicts[1]?.reason ?? "", /cut by the token limit/);
});

test("near-duplicate drops paraphrases of earlier sets and of prompts accepted earlier in the round", async () => {
  const a = unit(1, 0, 0);
  const vectors = (prompt: Float32Array, nearestEarlier: number | null, nearestEarlierId: string | null) => ({
    prompt,
    answer: prompt,
    nearestEarlier,
    nearestEarlierId,
  });
  const verdicts = await judge(build(nearDuplicateFilter), [
    withVectors(0, vectors(unit(0, 1, 0), 0.95, "seed-3")),
    withVectors(1, vectors(a, 0.3, "seed-1")),
    withVectors(2, vectors(unit(1, 0.05, 0), 0.3, "seed-1")),
    withVectors(3, vectors(unit(0, 0, 1), null, null)),
  ]);
  assert.deepEqual(
    verdicts.map((v) => v?.accepted),
    [false, true, false, true],
  );
  assert.match(verdicts[0]?.reason ?? "", /near-duplicate of seed-3 \(cosine 0\.950/);
  assert.match(verdicts[2]?.reason ?? "", /near-duplicate of slot 1 of this round/);
});

test("relevance drops an answer about something else", async () => {
  const [off, on] = await judge(build(relevanceFilter), [
    withVectors(0, { prompt: unit(1, 0), answer: unit(0, 1), nearestEarlier: null, nearestEarlierId: null }),
    withVectors(1, { prompt: unit(1, 0), answer: unit(1, 1), nearestEarlier: null, nearestEarlierId: null }),
  ]);
  assert.equal(off?.accepted, false);
  assert.match(off?.reason ?? "", /cosine 0\.000, under 0\.2/);
  assert.equal(on?.accepted, true);
});

test("a filter that needs embeddings refuses a candidate without them (internal: the filter step embeds)", async () => {
  await assert.rejects(
    judge(build(relevanceFilter), [candidate(0)]),
    (err) => isIsaraError(err, "internal") && /needs the candidates' embeddings/.test(err.message),
  );
});

test("length-ratio measures answers against the seeds' median answer", async () => {
  const earlier = [
    { id: "s0", setIndex: 0, prompt: "q0", response: "one two three four" },
    { id: "s1", setIndex: 0, prompt: "q1", response: "one two three four five six" },
    {
      id: "a1",
      setIndex: 1,
      prompt: "q2",
      response: "a very long accepted answer that is not a seed at all",
    },
  ];
  const verdicts = await judge(
    build(lengthRatioFilter),
    [
      candidate(0, { response: "Short." }),
      candidate(1, { response: "Five words are just right." }),
      candidate(2, { response: Array.from({ length: 30 }, () => "word").join(" ") }),
    ],
    earlier,
  );
  assert.deepEqual(
    verdicts.map((v) => v?.accepted),
    [false, true, false],
  );
  assert.match(verdicts[1]?.reason ?? "", /1\.00× the seeds' median of 5 words/);
  const [free] = await judge(build(lengthRatioFilter), [candidate(0, { response: "Short." })]);
  assert.equal(free?.accepted, true, "no seeds, nothing to measure against");
});

test("length-ratio refuses min above max when the domain is parsed", () => {
  const config = domainConfigSchema.parse({ name: "d", filters: [{ name: "length-ratio", min: 3, max: 2 }] });
  const { problems } = checkFilterChain(config);
  assert.equal(problems[0]?.field, "filters[0].max");
  assert.match(problems[0]?.problem ?? "", /min is above max/);
});
