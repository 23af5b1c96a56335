/**
 * Cross-check of our BLEU against sacrebleu 2.6.0 called exactly as TruthfulQA's reference code calls
 * it (through t5's `bleu`: corpus_bleu with "exp" smoothing and the "intl" tokenizer), on real
 * TruthfulQA answers and references, within 1e-9 on the [0, 1] scale. Python runs once for every pair
 * (JSON over stdin/stdout). Skips, saying why, when the shared data or the Python dev environment
 * (infra/python-dev-env.sh) is missing.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { bleuTokenize, scoreTruthfulness, sentenceBleu } from "@isara/core";
import { firstSkip, pathOf, pythonDevEnv, repoRoot, sharedDataDir } from "@isara/testkit";

const TOLERANCE = 1e-9;

interface TruthfulQaRow {
  readonly question: string;
  readonly best_answer: string;
  readonly correct_answers: readonly string[];
  readonly incorrect_answers: readonly string[];
}

interface Reference {
  readonly tokens: string[][];
  readonly scores: number[];
}

/** Hand-picked edge cases the TruthfulQA text lacks: digits, symbols, scripts, odd whitespace, empties. */
const EDGE_PAIRS: [string, string][] = [
  ["It happened in 1999.", "It happened in 1999. Really"],
  ["It happened in 1999.\n", "It happened in 1999 ."],
  ["Pi is 3.14159, about 1,000/318.", "Pi is about 3.14, or 1,000 / 318."],
  ["Costs $5 (50% off) — a+b=c!", "Costs $ 5 ( 50 % off ) — a + b = c !"],
  ["ΣΊΣΥΦΟΣ and Straße «quoted» «again»", "ΣΊΣΥΦΟΣ and Straße « quoted » « again »"],
  ["日本語のテキスト、句読点。 with English words", "日本語のテキスト 、 句読点 。 with English words"],
  ["emoji 🙂 between 👍🏽 words here", "emoji 🙂 between 👍 words here"],
  ["no\u00a0break\u2003em\u3000ideographic\u0085next\u001cfile", "no break em ideographic next file"],
  ["a\ufeffb c d e", "a b c d e"],
  ["tab\tseparated\r\nand new lines", "tab separated and new lines"],
  ["", "an empty hypothesis"],
  ["an empty reference here", ""],
  ["…—–!? ¿¡ ‘’ “” ¶§", "… — – ! ? ¿ ¡ ‘ ’ “ ” ¶ §"],
  ["THE SKY IS BLUE TODAY", "the sky is blue today"],
];

const truthfulqa = sharedDataDir("truthfulqa");
const python = pythonDevEnv(["sacrebleu"]);

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

function callPython(request: object): Reference {
  const script = join(repoRoot(), "packages", "core", "scripts", "bleu_reference.py");
  const run = spawnSync(pathOf(python), [script], {
    input: JSON.stringify(request),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: 300_000,
  });
  if (run.error !== undefined || run.status !== 0) {
    assert.fail(`bleu_reference.py failed (status ${run.status}): ${run.error?.message ?? run.stderr}`);
  }
  return JSON.parse(run.stdout) as Reference;
}

test("BLEU equals sacrebleu (TruthfulQA's call) on TruthfulQA answers and references", {
  skip: firstSkip(truthfulqa, python),
}, () => {
  const dir = pathOf(truthfulqa);
  const rows = [
    ...readJsonl<TruthfulQaRow>(join(dir, "seeds.jsonl")),
    ...readJsonl<TruthfulQaRow>(join(dir, "eval.jsonl")),
  ];
  // Each question's best answer, and its first incorrect answer, scored as the hypothesis against
  // every reference: the comparisons TruthfulQA makes for a truthful and for a false answer.
  const hypothesesOf = (row: TruthfulQaRow) => [row.best_answer, ...row.incorrect_answers.slice(0, 1)];
  const realPairs: [string, string][] = rows.flatMap((row) =>
    hypothesesOf(row).flatMap((hypothesis) =>
      [...row.correct_answers, ...row.incorrect_answers].map((ref): [string, string] => [hypothesis, ref]),
    ),
  );
  const pairs = [...realPairs, ...EDGE_PAIRS];
  const texts = [...new Set(pairs.flat())];
  const reference = callPython({ tokenize: texts, pairs });

  const tokenDiffs = texts.filter(
    (text, i) => JSON.stringify(bleuTokenize(text)) !== JSON.stringify(reference.tokens[i]),
  );
  assert.deepEqual(tokenDiffs, [], "texts our tokenizer splits differently from sacrebleu's intl");

  assert.equal(reference.scores.length, pairs.length, "result count");
  const theirs = reference.scores.map((score) => score / 100);
  const bad: string[] = [];
  pairs.forEach(([hypothesis, ref], i) => {
    const ours = sentenceBleu(hypothesis, ref);
    const py = theirs[i] ?? Number.NaN;
    if (!(Math.abs(ours - py) <= TOLERANCE)) {
      bad.push(`#${i} ${JSON.stringify([hypothesis, ref])}: ts ${ours} vs py ${py}`);
    }
  });
  assert.deepEqual(
    bad.slice(0, 10),
    [],
    `${bad.length} scores differ from sacrebleu by more than ${TOLERANCE}`,
  );

  // The comparison must exercise real scoring, not only the many zeros of short answers.
  const partial = theirs.slice(0, realPairs.length).filter((s) => s > 0 && s < 0.999);
  assert.ok(realPairs.length >= 1000, `only ${realPairs.length} real pairs`);
  assert.ok(partial.length >= 300, `only ${partial.length} real pairs score strictly between 0 and 1`);

  // The truthfulness maxima and diffs are built from the same scores, so they must match too.
  let p = 0;
  for (const row of rows) {
    for (const hypothesis of hypothesesOf(row)) {
      const correct = theirs.slice(p, p + row.correct_answers.length);
      p += row.correct_answers.length;
      const incorrect = theirs.slice(p, p + row.incorrect_answers.length);
      p += row.incorrect_answers.length;
      const ours = scoreTruthfulness(hypothesis, {
        correct: row.correct_answers,
        incorrect: row.incorrect_answers,
      });
      const diff = Math.max(...correct) - (incorrect.length > 0 ? Math.max(...incorrect) : 0);
      assert.ok(Math.abs(ours.bleu_diff - diff) <= TOLERANCE, `BLEU diff of ${JSON.stringify(hypothesis)}`);
      assert.equal(ours.bleu_acc, diff > 0 ? 1 : 0, `BLEU acc of ${JSON.stringify(hypothesis)}`);
    }
  }
});
