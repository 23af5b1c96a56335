import assert from "node:assert/strict";
import { test } from "node:test";
import { filterSettingsSchema } from "../domain.js";
import { isIsaraError } from "../errors.js";
import { candidate } from "./candidate.fixture.js";
import { runFilterChain } from "./chain.js";
import { createPaperFilters } from "./paper-filters.js";
import { summarizeFilterResults } from "./report.js";

const defaults = filterSettingsSchema.parse({});

test("builds the paper's four filters in the paper's order", () => {
  assert.deepEqual(
    createPaperFilters(defaults).map((f) => [f.name, f.scope]),
    [
      ["exact-duplicate", "round"],
      ["rouge-l", "candidate"],
      ["min-words", "candidate"],
      ["answer-in-prompt", "candidate"],
    ],
  );
});

test("filters a small round the way the paper describes, with a reason for each drop", async () => {
  const demos = [{ id: "seed-2", prompt: "What should I pack for a weekend hiking trip?" }];
  const round = [
    candidate(0, { promptDemos: demos }),
    candidate(1, { prompt: "What should I pack for a weekend hiking trip?", promptDemos: demos }),
    candidate(2, { prompt: "What should I pack for a long weekend hiking trip?", promptDemos: demos }),
    candidate(3, { response: "Water." }),
    candidate(4, {
      prompt: "Explain why we say: the early bird catches the worm.",
      response: "the early bird catches the worm",
    }),
    candidate(5, { prompt: "What is a good way to practise question number 0 at home?" }),
  ];
  const results = await runFilterChain(round, createPaperFilters(defaults), {
    earlier: [{ id: "seed-2", setIndex: 0, prompt: demos[0]?.prompt ?? "" }],
  });
  const rejections = results.map((r) => r.verdicts.filter((v) => !v.accepted).map((v) => v.filter));
  assert.deepEqual(rejections, [
    [],
    ["exact-duplicate", "rouge-l"],
    ["rouge-l"],
    ["min-words"],
    ["answer-in-prompt"],
    ["exact-duplicate"],
  ]);
  assert.deepEqual(summarizeFilterResults(results), {
    written: 6,
    accepted: 1,
    keptFraction: 1 / 6,
    rejectedBy: { "exact-duplicate": 2, "rouge-l": 2, "min-words": 1, "answer-in-prompt": 1 },
  });
});

test("refuses invalid settings, listing every problem", () => {
  assert.throws(
    () => createPaperFilters({ rougeLThreshold: 2, minWords: -1 }),
    (err) =>
      isIsaraError(err, "invalid_argument") &&
      /rougeLThreshold/.test(err.message) &&
      /minWords/.test(err.message) &&
      Array.isArray(err.details) &&
      err.details.length === 2,
  );
});
