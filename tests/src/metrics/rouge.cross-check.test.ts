/**
 * Cross-check required by the ROUGE issue: our ROUGE-L must equal Google's rouge-score 0.1.2 (the
 * package behind the paper's filter threshold and TruthfulQA numbers) within 1e-6 on real text.
 * Python runs once for every pair (JSON over stdin/stdout). Skips, saying why, when the shared data
 * or the Python dev environment (infra/python-dev-env.sh) is missing.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type RougeScore, rougeL, rougeLMax, rougeTokenize, scoreTruthfulness } from "@isara/core";
import { firstSkip, pathOf, pythonDevEnv, repoRoot, sharedDataDir } from "@isara/testkit";

const TOLERANCE = 1e-6;

interface TruthfulQaRow {
  readonly question: string;
  readonly best_answer: string;
  readonly correct_answers: readonly string[];
  readonly incorrect_answers: readonly string[];
}

interface Reference {
  readonly tokens: string[][];
  readonly pairs: [number, number, number][];
  readonly multi: [number, number, number][];
}

/** Hand-picked edge cases the TruthfulQA text lacks: non-ASCII case mappings, scripts, empties. */
const EDGE_PAIRS: [string, string][] = [
  ["İstanbul is in Türkiye", "istanbul is in turkiye"],
  ["\u212Aelvin scale: 273.15 \u212A", "kelvin scale 273 15 k"],
  ["ΣΊΣΥΦΟΣ and Straße", "sisyphus and strasse"],
  ["日本語のテキスト with English words", "English words only"],
  ["emoji 🙂 between 👍🏽 words", "emoji between words"],
  ["", "an empty target"],
  ["…—–!?", "only punctuation on the left"],
  ["don't won't can't", "do not will not cannot"],
  ["tab\tseparated\nand\r\nnew lines", "tab separated and new lines"],
  ["x1y2z3 3.14159 1,000,000", "x1y2z3 3 14159 1 000 000"],
];

const truthfulqa = sharedDataDir("truthfulqa");
const python = pythonDevEnv(["rouge_score.rouge_scorer"]);

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

function callPython(request: object): Reference {
  const script = join(repoRoot(), "packages", "core", "scripts", "rouge_reference.py");
  const run = spawnSync(pathOf(python), [script], {
    input: JSON.stringify(request),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
  if (run.error !== undefined || run.status !== 0) {
    assert.fail(`rouge_reference.py failed (status ${run.status}): ${run.error?.message ?? run.stderr}`);
  }
  return JSON.parse(run.stdout) as Reference;
}

function mismatches(
  label: string,
  ours: RougeScore[],
  theirs: [number, number, number][],
  inputs: unknown[],
) {
  assert.equal(ours.length, theirs.length, `${label}: result count`);
  const bad: string[] = [];
  ours.forEach((s, i) => {
    const [p, r, f] = theirs[i] ?? [Number.NaN, Number.NaN, Number.NaN];
    const off = Math.max(Math.abs(s.precision - p), Math.abs(s.recall - r), Math.abs(s.fmeasure - f));
    if (!(off <= TOLERANCE)) {
      bad.push(`${label} #${i} ${JSON.stringify(inputs[i])}: ts ${JSON.stringify(s)} vs py ${[p, r, f]}`);
    }
  });
  return bad;
}

test("ROUGE-L equals rouge-score 0.1.2 on TruthfulQA answers", {
  skip: firstSkip(truthfulqa, python),
}, () => {
  const dir = pathOf(truthfulqa);
  const rows = [
    ...readJsonl<TruthfulQaRow>(join(dir, "seeds.jsonl")),
    ...readJsonl<TruthfulQaRow>(join(dir, "eval.jsonl")),
  ];
  // Each question's best answer scored as the prediction against every reference, plus the question
  // against its best answer: short and long, numbers, punctuation, the odd curly quote.
  const realPairs: [string, string][] = rows.flatMap((row) => [
    ...row.correct_answers.map((ref): [string, string] => [ref, row.best_answer]),
    ...row.incorrect_answers.map((ref): [string, string] => [ref, row.best_answer]),
    [row.question, row.best_answer],
  ]);
  // Long texts exercise the LCS on hundreds of tokens; used when the AlpacaEval set is present.
  const alpaca = join(dir, "..", "alpaca-eval", "eval.jsonl");
  const longPairs: [string, string][] = existsSync(alpaca)
    ? readJsonl<{ reference_output: string }>(alpaca)
        .slice(0, 41)
        .map((row, i, all): [string, string] => [row.reference_output, all[i + 1]?.reference_output ?? ""])
        .slice(0, 40)
    : [];
  const pairs = [...realPairs, ...longPairs, ...EDGE_PAIRS];
  assert.ok(realPairs.length >= 200, `only ${realPairs.length} real pairs`);
  assert.ok(
    realPairs.some(([t, p]) => /[0-9]/.test(t + p)),
    "no pair with digits",
  );
  assert.ok(
    realPairs.some(([t]) => [...t].some((c) => (c.codePointAt(0) ?? 0) > 0x7f)),
    "no non-ASCII pair",
  );

  const multi = rows.flatMap((row) => [
    { prediction: row.best_answer, targets: row.correct_answers },
    ...(row.incorrect_answers.length > 0
      ? [{ prediction: row.best_answer, targets: row.incorrect_answers }]
      : []),
  ]);
  // Ties in F1 with different precision and recall: rouge-score keeps the first (np.argmax).
  const edgeMulti = [
    { prediction: "a b", targets: ["a", "a b c d"] },
    { prediction: "a b", targets: ["a b c d", "a"] },
  ];
  multi.push(...edgeMulti);
  const texts = [...new Set(pairs.flat())];
  const reference = callPython({ tokenize: texts, pairs, multi });

  const tokenDiffs = texts.filter(
    (text, i) => JSON.stringify(rougeTokenize(text)) !== JSON.stringify(reference.tokens[i]),
  );
  assert.deepEqual(tokenDiffs, [], "texts our tokenizer splits differently from rouge-score");

  const bad = [
    ...mismatches(
      "pair",
      pairs.map(([target, prediction]) => rougeL(target, prediction)),
      reference.pairs,
      pairs,
    ),
    ...mismatches(
      "max",
      multi.map((m) => rougeLMax(m.prediction, m.targets)),
      reference.multi,
      multi,
    ),
  ];
  assert.deepEqual(
    bad.slice(0, 10),
    [],
    `${bad.length} scores differ from rouge-score by more than ${TOLERANCE}`,
  );

  // The truthfulness diff is built from the same maxima, so it must match the Python numbers too.
  let m = 0;
  for (const row of rows) {
    const ours = scoreTruthfulness(row.best_answer, {
      correct: row.correct_answers,
      incorrect: row.incorrect_answers,
    });
    const maxCorrect = reference.multi[m++]?.[2] ?? Number.NaN;
    const maxIncorrect = row.incorrect_answers.length > 0 ? (reference.multi[m++]?.[2] ?? Number.NaN) : 0;
    assert.ok(
      Math.abs(ours.rougeL_diff - (maxCorrect - maxIncorrect)) <= TOLERANCE,
      `diff of ${row.question}`,
    );
  }
});
