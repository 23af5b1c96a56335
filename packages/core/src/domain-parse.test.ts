import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { MAX_SEEDS, MIN_SEEDS } from "./domain.js";
import { parseDomain, parseDomainFiles } from "./domain-parse.js";
import { IsaraError, isIsaraError } from "./errors.js";
import type { FileProblem } from "./file-problem.js";

const seeds = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    prompt: `What is fact number ${i}?`,
    response: `Fact ${i} is true.`,
  }));
const evalItems = [{ id: "q1", prompt: "Is the sky green?", correct: ["No, it is blue."] }];

/** The problems of the error `fn` throws, as their messages. */
function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(isIsaraError(err, "invalid_argument"), `expected invalid_argument, got ${String(err)}`);
    const details = err.details as FileProblem[];
    for (const p of details)
      assert.ok(err.message.includes(`  - ${p.message}`), "the message lists every problem");
    return details.map((p) => p.message);
  }
  assert.fail("expected the domain to be refused");
}

test("a valid domain comes back with every default filled and text trimmed", () => {
  const domain = parseDomain({
    config: { name: "truthful" },
    seeds: [
      { prompt: "  Why is the sky blue?  ", response: "Rayleigh scattering." },
      ...seeds(MIN_SEEDS - 1),
    ],
    eval: evalItems,
  });
  assert.equal(domain.config.name, "truthful");
  assert.equal(domain.config.description, "");
  assert.equal(domain.config.isara.rounds, 3);
  assert.equal(domain.config.isara.promptsPerRound, 512);
  assert.equal(domain.config.isara.answerSampling.repetitionPenalty, 1.2);
  assert.equal(domain.config.training.learningRate, 2e-5);
  assert.equal(domain.config.stop.metric, "rougeL_diff");
  assert.equal(domain.seeds.length, MIN_SEEDS);
  assert.equal(domain.seeds[0]?.prompt, "Why is the sky blue?");
  assert.deepEqual(domain.eval[0], { ...evalItems[0], incorrect: [] });
});

test("every problem is reported at once, each naming file, row and field with how to fix it", () => {
  const rows: unknown[] = seeds(MIN_SEEDS);
  rows[2] = { prompt: "Name a colour.", response: "   " };
  rows[4] = { question: "Q?", answer: "A." };
  rows[5] = "just text";
  const messages = problemsOf(() =>
    parseDomain({
      config: { name: "Truthful QA", isara: { roundz: 2, demos: "8" } },
      seeds: rows,
      eval: evalItems,
    }),
  );
  assert.deepEqual(messages, [
    'domain.json: unknown key "roundz" in "isara" — did you mean "rounds"? Allowed keys: demos, promptsPerRound, rounds, promptBudgetTokens, promptSampling, answerSampling, tokenLimits, seed',
    'domain.json: "name" has the wrong form: use 1-63 lowercase letters, digits or \'-\', starting with a letter or digit (got "Truthful QA") — it names the domain in runs and folders',
    'domain.json: "isara.demos" must be a number, got "8"',
    'seeds.jsonl row 3: "response" must not be empty — give the answer the model should learn',
    'seeds.jsonl row 5: "prompt" is missing (the row has "question", "answer") — write the question or instruction a user would send',
    'seeds.jsonl row 5: "response" is missing (the row has "question", "answer") — give the answer the model should learn',
    'seeds.jsonl row 6: must be a JSON object with "prompt", "response"',
  ]);
});

test("the error's first line names the domain and counts the problems", () => {
  try {
    parseDomain({ config: { name: "truthful" }, seeds: seeds(3), eval: evalItems });
    assert.fail("expected a refusal");
  } catch (err) {
    assert.ok(err instanceof IsaraError);
    assert.equal(err.message.split("\n")[0], 'domain "truthful" is invalid (1 problem):');
  }
});

test("too few and too many seeds are refused with the numbers and what to do", () => {
  assert.deepEqual(
    problemsOf(() => parseDomain({ config: { name: "d" }, seeds: seeds(MIN_SEEDS - 3), eval: evalItems })),
    [
      `seeds.jsonl: has ${MIN_SEEDS - 3} seed pairs, but a domain needs at least ${MIN_SEEDS} — add 3 more lines of {"prompt": "…", "response": "…"}`,
    ],
  );
  assert.deepEqual(
    problemsOf(() => parseDomain({ config: { name: "d" }, seeds: seeds(MAX_SEEDS + 1), eval: evalItems })),
    [
      `seeds.jsonl: has ${MAX_SEEDS + 1} seed pairs, but a domain takes at most ${MAX_SEEDS} — keep the ${MAX_SEEDS} that show the behaviour best`,
    ],
  );
});

test("duplicate seed prompts are refused, ignoring case and spacing, pointing at the first one", () => {
  const rows = seeds(MIN_SEEDS);
  rows[6] = { prompt: "  what IS fact   number 1? ", response: "Another answer." };
  const messages = problemsOf(() =>
    parseDomain(
      { config: { name: "d" }, seeds: rows, eval: evalItems },
      { seedLines: rows.map((_, i) => i * 2 + 1) },
    ),
  );
  assert.deepEqual(messages, [
    'seeds.jsonl line 13: "prompt" repeats the prompt on line 3 — remove one of them or make them different',
  ]);
});

test("eval problems: none at all, duplicate ids, prompts that are also seeds, missing references", () => {
  assert.deepEqual(
    problemsOf(() => parseDomain({ config: { name: "d" }, seeds: seeds(MIN_SEEDS), eval: [] })),
    [
      'eval.jsonl: has no eval items — add at least one line of {"id": "…", "prompt": "…", "correct": ["…"]}; every round is scored on them',
    ],
  );
  const items = [
    ...evalItems,
    { id: "q1", prompt: "Is water wet?", correct: ["Yes."] },
    { id: "q3", prompt: "What is fact number 2?", correct: ["True."] },
    { id: "q4", prompt: "Why?", correct: [] },
  ];
  assert.deepEqual(
    problemsOf(() => parseDomain({ config: { name: "d" }, seeds: seeds(MIN_SEEDS), eval: items })),
    [
      'eval.jsonl row 4: "correct" must list at least one item — list answers that show the target behaviour, e.g. "correct": ["…"]',
      'eval.jsonl row 2: "id" "q1" is already used on row 1 — give each eval item a unique id',
      'eval.jsonl row 3: "prompt" is also the seed prompt on seeds.jsonl row 3 — scoring a model on what it trained on inflates the score; remove it from one of the files',
    ],
  );
});

test("config out of range or of the wrong shape names the dotted field and the allowed range", () => {
  assert.deepEqual(
    problemsOf(() =>
      parseDomain({
        config: { name: "d", training: { method: "qlora", learningRate: 0 }, stop: { minKeptFraction: 1.5 } },
        seeds: seeds(MIN_SEEDS),
        eval: evalItems,
      }),
    ),
    [
      'domain.json: "training.method" must be one of "lora", "full", got "qlora"',
      'domain.json: "training.learningRate" must be greater than 0, got 0',
      'domain.json: "stop.minKeptFraction" must be at most 1, got 1.5',
    ],
  );
  assert.deepEqual(
    problemsOf(() => parseDomain({ config: [], seeds: seeds(MIN_SEEDS), eval: evalItems })),
    ['domain.json: must be a JSON object, at least {"name": "my-domain"}'],
  );
});

test("a filters list is checked against the filter registry and stored with its defaults filled", () => {
  const parse = (config: object) => parseDomain({ config, seeds: seeds(MIN_SEEDS), eval: evalItems });
  const listed = parse({ name: "d", filters: [{ name: "min-words", minWords: 3 }, { name: "rouge-l" }] });
  assert.deepEqual(listed.config.filters, [
    { name: "min-words", minWords: 3 },
    { name: "rouge-l", threshold: 0.7 },
  ]);
  assert.equal(
    parse({ name: "d", filter: { minWords: 3 } }).config.filters,
    undefined,
    "old keys stay as written",
  );
  const snapshot = JSON.parse(JSON.stringify(listed.config));
  assert.deepEqual(parse(snapshot).config, listed.config, "a snapshot of the parsed config parses to itself");
  assert.deepEqual(
    problemsOf(() =>
      parse({
        name: "d",
        filter: { minWords: 3 },
        filters: [{ name: "rouge-l", threshold: 1.5 }, { name: "exact-duplicates" }, "min-words"],
      }),
    ),
    ['domain.json: "filters[2]" must be an object { … }, got "min-words"'],
  );
  assert.deepEqual(
    problemsOf(() =>
      parse({
        name: "d",
        filter: { minWords: 3 },
        filters: [{ name: "rouge-l", threshold: 1.5 }, { name: "exact-duplicates" }],
      }),
    ),
    [
      'domain.json: "filter" only sets the thresholds of the default chain, and "filters" is given — move them into the list ({"name": "rouge-l", "threshold": …}, {"name": "min-words", "minWords": …}) and remove "filter"',
      'domain.json: "filters[0].threshold" must be at most 1, got 1.5',
      'domain.json: "filters[1].name" is "exact-duplicates", which is not a registered filter — did you mean "exact-duplicate"? Registered filters: exact-duplicate, rouge-l, min-words, answer-in-prompt, role-leak, gibberish, unfinished, near-duplicate, relevance, length-ratio, judge-score',
    ],
  );
});

test("file names given by the caller are used in messages", () => {
  const messages = problemsOf(() =>
    parseDomain({ config: { name: "d" }, seeds: seeds(2), eval: evalItems }, { seeds: "upload:seeds" }),
  );
  assert.match(messages[0] ?? "", /^upload:seeds: has 2 seed pairs/);
});

const lines = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).join("\n");

test("from file texts: JSON syntax errors and validation problems come together, with real line numbers", () => {
  const seedText = `${lines(seeds(MIN_SEEDS).slice(0, 3))}\n\n{"prompt": "broken"\n${lines(seeds(MIN_SEEDS).slice(3))}\n{"prompt": "Q?", "response": ""}\n`;
  const messages = problemsOf(() =>
    parseDomainFiles({
      config: '{"name": "d", "isara": {"rounds": 0}}',
      seeds: seedText,
      eval: lines(evalItems),
    }),
  );
  assert.equal(messages.length, 3);
  assert.match(messages[0] ?? "", /^seeds\.jsonl line 5: not valid JSON/);
  assert.equal(messages[1], 'domain.json: "isara.rounds" must be at least 1, got 0');
  assert.equal(
    messages[2],
    'seeds.jsonl line 11: "response" must not be empty — give the answer the model should learn',
  );
});

test("from file texts: a config that is not JSON is reported once, without follow-on noise", () => {
  const messages = problemsOf(() =>
    parseDomainFiles({ config: "{name: d}", seeds: lines(seeds(MIN_SEEDS)), eval: lines(evalItems) }),
  );
  assert.equal(messages.length, 1);
  assert.match(messages[0] ?? "", /^domain\.json: not valid JSON \(.+\) — check quotes, commas and braces$/);
});

test("from file texts: a valid domain with a BOM and CRLF line ends parses", () => {
  const domain = parseDomainFiles({
    config: '\uFEFF{"name": "d"}',
    seeds: `\uFEFF${lines(seeds(MIN_SEEDS)).replaceAll("\n", "\r\n")}\r\n`,
    eval: `${lines(evalItems)}\n`,
  });
  assert.equal(domain.seeds.length, MIN_SEEDS);
  assert.equal(domain.eval.length, 1);
});

/** This package's folder: the nearest with a package.json above this test (in dist-test/src/). */
function packageDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, "package.json"))) dir = dirname(dir);
  return dir;
}
const sharedData = process.env.ISARA_SHARED_DATA ?? resolve(packageDir(), "../../../shared/data");
const truthfulqa = resolve(sharedData, "truthfulqa");
const skip = existsSync(resolve(truthfulqa, "seeds.jsonl"))
  ? false
  : `skipped: the TruthfulQA files are not at ${truthfulqa} (set ISARA_SHARED_DATA to the shared data folder)`;

test("real data: the TruthfulQA seed and eval splits form a valid domain", { skip }, () => {
  const read = (name: string) =>
    readFileSync(resolve(truthfulqa, name), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map(
        (l) =>
          JSON.parse(l) as {
            id: string;
            question: string;
            best_answer: string;
            correct_answers: string[];
            incorrect_answers: string[];
          },
      );
  const domain = parseDomain({
    config: { name: "truthfulqa" },
    seeds: read("seeds.jsonl").map((r) => ({ prompt: r.question, response: r.best_answer })),
    eval: read("eval.jsonl").map((r) => ({
      id: r.id,
      prompt: r.question,
      correct: r.correct_answers,
      incorrect: r.incorrect_answers,
    })),
  });
  assert.equal(domain.seeds.length, 64);
  assert.equal(domain.eval.length, 553);
});
