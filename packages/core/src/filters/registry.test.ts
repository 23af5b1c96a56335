import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { candidate } from "../../testing/filters/candidate.fixture.js";
import { domainConfigSchema, filterSettingsSchema } from "../domain.js";
import { isIsaraError } from "../errors.js";
import { runFilterChain } from "./chain.js";
import { defineFilter } from "./definition.js";
import {
  checkFilterChain,
  createFilterChain,
  FILTER_REGISTRY,
  filterEntriesOf,
  paperFilterEntries,
} from "./registry.js";
import { summarizeFilterResults } from "./report.js";

const defaults = filterSettingsSchema.parse({});
const config = (extra: object = {}) => domainConfigSchema.parse({ name: "d", ...extra });

const PAPER = [
  ["exact-duplicate", "round"],
  ["rouge-l", "candidate"],
  ["min-words", "candidate"],
  ["answer-in-prompt", "candidate"],
];

test("the paper preset builds the paper's four filters in the paper's order", () => {
  assert.deepEqual(
    createFilterChain(config({ filterPreset: "paper" })).map((f) => [f.name, f.scope]),
    PAPER,
  );
});

test("a config without a filters list or preset builds the quality preset: the paper's four, then six", () => {
  assert.deepEqual(
    createFilterChain(config()).map((f) => [f.name, f.scope]),
    [
      ...PAPER,
      ["role-leak", "candidate"],
      ["gibberish", "candidate"],
      ["unfinished", "candidate"],
      ["near-duplicate", "round"],
      ["relevance", "candidate"],
      ["length-ratio", "candidate"],
    ],
  );
  assert.deepEqual(
    FILTER_REGISTRY.filter((d) => d.needs === undefined).map((d) => d.name),
    createFilterChain(config()).map((f) => f.name),
    "the quality preset runs every registered filter that needs no service (judge-score needs a judge)",
  );
});

test("a filters list beside another preset is refused, naming both keys", () => {
  const chain = checkFilterChain(config({ filterPreset: "paper", filters: [{ name: "min-words" }] }));
  assert.equal(chain.problems[0]?.field, "filterPreset");
  assert.match(chain.problems[0]?.problem ?? "", /remove one of them/);
});

test("the default chain filters a small round the way the paper describes, with a reason for each drop", async () => {
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
  const results = await runFilterChain(round, createFilterChain(config({ filterPreset: "paper" })), {
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

test("the old filter keys translate to the same chain as the list that names them", async () => {
  const old = config({ filterPreset: "paper", filter: { rougeLThreshold: 0.5, minWords: 3 } });
  const listed = config({
    filters: [
      { name: "exact-duplicate" },
      { name: "rouge-l", threshold: 0.5 },
      { name: "min-words", minWords: 3 },
      { name: "answer-in-prompt" },
    ],
  });
  assert.deepEqual(filterEntriesOf(old), listed.filters);
  assert.deepEqual(checkFilterChain(old), checkFilterChain(listed));
  const round = [
    candidate(0, { prompt: "a b c d", promptDemos: [{ id: "d", prompt: "a b x y" }] }),
    candidate(1, { prompt: "Four words here, right?", response: "Yes, three." }),
  ];
  const verdicts = async (c: typeof old) =>
    (await runFilterChain(round, createFilterChain(c), { earlier: [] })).map((r) => r.verdicts);
  assert.deepEqual(await verdicts(old), await verdicts(listed));
  assert.deepEqual(
    (await verdicts(old)).map((v) => v.filter((x) => !x.accepted).map((x) => x.filter)),
    [[], ["min-words"]],
    "ROUGE-L 0.5 is not above 0.5, and a 2-word answer is under 3",
  );
});

test("a registry filter's defaults are the paper's, as the filter block's are", () => {
  const named = config({
    filters: FILTER_REGISTRY.filter((d) => d.needs === undefined).map((d) => ({ name: d.name })),
  });
  assert.deepEqual(checkFilterChain(named), checkFilterChain(config()));
  assert.deepEqual(checkFilterChain(named).entries.slice(0, 4), paperFilterEntries(defaults));
});

test("a filters list sets the order, may leave filters out and fills each filter's defaults", () => {
  const chain = checkFilterChain(
    config({ filters: [{ name: "min-words" }, { name: "rouge-l", threshold: 0.9 }] }),
  );
  assert.deepEqual(chain, {
    entries: [
      { name: "min-words", minWords: 5 },
      { name: "rouge-l", threshold: 0.9 },
    ],
    problems: [],
  });
  assert.deepEqual(createFilterChain(config({ filters: [] })), [], "an empty list filters nothing");
});

test("refuses invalid settings, listing every problem with its field", () => {
  const bad = config({
    filters: [
      { name: "rouge-l", threshold: 2 },
      { name: "min-words", minWords: -1, minwords: 3 },
    ],
  });
  assert.throws(
    () => createFilterChain(bad),
    (err) =>
      isIsaraError(err, "invalid_argument") &&
      /"filters\[0\]\.threshold" must be at most 1, got 2/.test(err.message) &&
      /"filters\[1\]\.minWords" must be at least 0, got -1/.test(err.message) &&
      /"filters\[1\]\.minwords" is not a setting of filter "min-words" — did you mean "minWords"\?/.test(
        err.message,
      ) &&
      Array.isArray(err.details) &&
      err.details.length === 3,
  );
});

test("refuses unknown and repeated filters, and filter thresholds beside a filters list", () => {
  const { problems, entries } = checkFilterChain({
    filter: { rougeLThreshold: 0.6, minWords: 5 },
    filters: [{ name: "rouge-1" }, { name: "min-words" }, { name: "min-words", minWords: 2 }],
  });
  assert.deepEqual(
    problems.map((p) => p.field),
    ["filter", "filters[0].name", "filters[2].name"],
  );
  assert.match(problems[0]?.problem ?? "", /"filter" only sets the thresholds of the default chain/);
  assert.match(problems[1]?.problem ?? "", /not a registered filter — did you mean "rouge-l"\?/);
  assert.match(problems[2]?.problem ?? "", /filter "min-words" is listed twice/);
  assert.deepEqual(entries, [{ name: "min-words", minWords: 5 }]);
});

test("a registry can be extended with a filter of one definition", async () => {
  const shouting = defineFilter({
    name: "shouting",
    settings: z.object({ maxCapitals: z.number().int().min(0).default(3) }),
    create: ({ maxCapitals }) => ({
      name: "shouting",
      scope: "candidate",
      check: (c) => {
        const capitals = (c.response.match(/[A-Z]/g) ?? []).length;
        return { accepted: capitals <= maxCapitals, reason: `${capitals} capitals`, score: capitals };
      },
    }),
  });
  const registry = [...FILTER_REGISTRY, shouting];
  const withShouting = config({ filters: [{ name: "shouting", maxCapitals: 1 }, { name: "min-words" }] });
  assert.throws(() => createFilterChain(withShouting), /"shouting", which is not a registered filter/);
  const results = await runFilterChain(
    [candidate(0, { response: "Write It Down every day, slowly and calmly." })],
    createFilterChain(withShouting, registry),
    { earlier: [] },
  );
  assert.deepEqual(results[0]?.verdicts, [
    { filter: "shouting", accepted: false, reason: "3 capitals", score: 3 },
    {
      filter: "min-words",
      accepted: true,
      reason: "prompt has 12 words, answer has 8 words (at least 5)",
      score: 8,
    },
  ]);
});

test("a definition whose filter has another name than its own is refused when the chain is built", () => {
  const misnamed = defineFilter({
    name: "polite",
    settings: z.object({}),
    create: () => ({ name: "rude", scope: "candidate", check: () => ({ accepted: true, reason: "ok" }) }),
  });
  assert.throws(
    () => createFilterChain(config({ filters: [{ name: "polite" }] }), [misnamed]),
    (err) => isIsaraError(err, "internal") && /built a filter named "rude"/.test(err.message),
  );
});
