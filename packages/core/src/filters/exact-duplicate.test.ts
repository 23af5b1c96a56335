import assert from "node:assert/strict";
import { test } from "node:test";
import { candidate } from "../../testing/filters/candidate.fixture.js";
import { runFilterChain } from "./chain.js";
import { createExactDuplicateFilter, EXACT_DUPLICATE } from "./exact-duplicate.js";
import { createMinWordsFilter } from "./min-words.js";

const earlier = [
  { id: "seed-1", setIndex: 0, prompt: "How should I store fresh basil so it lasts?" },
  { id: "r1-7", setIndex: 1, prompt: "What is the safest way to thaw frozen chicken?" },
];

test("rejects a prompt that is already a seed or in an earlier set, naming where", async () => {
  const results = await runFilterChain(
    [
      candidate(0, { prompt: "How should I store fresh basil so it lasts?" }),
      candidate(1, { prompt: "  What is the safest way to thaw\nfrozen chicken? " }),
      candidate(2, { prompt: "How should I store fresh BASIL so it lasts?" }),
    ],
    [createExactDuplicateFilter()],
    { earlier },
  );
  assert.deepEqual(
    results.map((r) => r.verdicts[0]),
    [
      { filter: EXACT_DUPLICATE, accepted: false, reason: "same prompt as seed-1 in the seeds" },
      { filter: EXACT_DUPLICATE, accepted: false, reason: "same prompt as r1-7 in set 1" },
      { filter: EXACT_DUPLICATE, accepted: true, reason: "prompt not seen before" },
    ],
  );
});

test("keeps the first accepted copy within a round and rejects later ones", async () => {
  const prompt = "Which vegetables grow well in a shady garden?";
  const results = await runFilterChain(
    [candidate(4, { prompt }), candidate(1, { prompt }), candidate(2, { prompt: `${prompt}\n` })],
    [createExactDuplicateFilter()],
    { earlier: [] },
  );
  assert.deepEqual(
    results.map((r) => [r.candidate.slot, r.accepted, r.verdicts[0]?.reason]),
    [
      [1, true, "prompt not seen before"],
      [2, false, "same prompt as slot 1, accepted earlier in this round"],
      [4, false, "same prompt as slot 1, accepted earlier in this round"],
    ],
  );
});

test("a copy of a prompt rejected for another reason can still be kept", async () => {
  const prompt = "Which vegetables grow well in a shady garden?";
  const results = await runFilterChain(
    [candidate(0, { prompt, response: "Lettuce." }), candidate(1, { prompt }), candidate(2, { prompt })],
    [createExactDuplicateFilter(), createMinWordsFilter(5)],
    { earlier: [] },
  );
  assert.deepEqual(
    results.map((r) => r.accepted),
    [false, true, false],
  );
  assert.equal(results[0]?.verdicts[0]?.accepted, true, "slot 0 is new, only too short");
  assert.match(String(results[2]?.verdicts[0]?.reason), /same prompt as slot 1/);
});
