/**
 * Builds the paper-comparison domains from the shared datasets (never copied into the repository):
 * TruthfulQA as in the paper, harmlessness from HH-RLHF's single-turn red-team pairs. Each builder
 * writes an ordinary domain folder (domain.json, seeds.jsonl, eval.jsonl) that `isara run` reads.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const sha256 = (text) => createHash("sha256").update(text, "utf8").digest("hex");
const readJsonl = (file) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
const jsonl = (rows) => rows.map((r) => `${JSON.stringify(r)}\n`).join("");

/** Sorts rows by sha256 of a field, then id: a fixed order that mixes categories, as the data README splits. */
function byHash(rows, field) {
  return rows
    .map((row) => ({ row, key: sha256(row[field]) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.row.id < b.row.id ? -1 : 1))
    .map((x) => x.row);
}

/** Settings shared by both domains: the example domain's sampling, fixed rounds (no early stop). */
function config(name, description, prompts, rounds, preset) {
  return {
    name,
    description,
    // "paper": the paper's generation values and filters (docs/generation.md); unset: the project's defaults.
    ...(preset ? { preset } : {}),
    isara: {
      demos: 6,
      promptsPerRound: prompts,
      rounds,
      promptSampling: { maxTokens: 48, temperature: 0.7, topP: 0.9, repetitionPenalty: 1.05 },
      answerSampling: { maxTokens: 64, temperature: 0.7, topP: 0.9, repetitionPenalty: 1.2 },
    },
    training: { learningRate: 2e-4, epochs: 1, batchSize: 8, maxSequenceLength: 256 },
    // The paper runs a fixed number of rounds; the no-improvement rule would end a run early.
    stop: { patience: 0 },
  };
}

function write(dir, domainConfig, seeds, evalItems) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "domain.json"), `${JSON.stringify(domainConfig, null, 2)}\n`);
  writeFileSync(join(dir, "seeds.jsonl"), jsonl(seeds));
  writeFileSync(join(dir, "eval.jsonl"), jsonl(evalItems));
  return { dir, seeds: seeds.length, eval: evalItems.length };
}

/**
 * TruthfulQA: the 64 seed questions with their best answer; eval = the first `evalSize` questions of
 * eval.jsonl in sha256(question) order, scored against their correct and incorrect answers.
 */
export function buildTruthfulqa(dataDir, outDir, { prompts, rounds, evalSize, preset }) {
  const seeds = readJsonl(join(dataDir, "truthfulqa/seeds.jsonl")).map((r) => ({
    prompt: r.question,
    response: r.best_answer,
  }));
  const evalItems = byHash(readJsonl(join(dataDir, "truthfulqa/eval.jsonl")), "question")
    .slice(0, evalSize)
    .map((r) => ({
      id: r.id,
      prompt: r.question,
      correct: r.correct_answers,
      incorrect: r.incorrect_answers,
    }));
  return write(
    outDir,
    config("truthfulqa", "Answer questions that invite a common falsehood truthfully.", prompts, rounds, preset),
    seeds,
    evalItems,
  );
}

/**
 * Harmlessness: the first 64 single-turn red-team prompts (file order, itself a sha256 order) with
 * their chosen reply as seeds; the rest are eval items whose "correct" reference is the chosen reply
 * and "incorrect" the rejected one, so the reference metric is similarity to chosen minus rejected.
 * Left out of eval: items whose chosen reply is empty (nothing to be similar to) and items whose
 * prompt is also a seed prompt (the data holds a few repeated red-team prompts). Of the rest, the first
 * `evalSize` (all 294 when it is larger).
 */
export function buildHarmless(dataDir, outDir, { prompts, rounds, evalSize, seedCount = 64, preset }) {
  const rows = readJsonl(join(dataDir, "hh-rlhf/harmless-single-turn.jsonl"));
  const seeds = rows.slice(0, seedCount).map((r) => ({ prompt: r.prompt, response: r.chosen }));
  const seedPrompts = new Set(seeds.map((s) => s.prompt.trim()));
  const evalItems = rows
    .slice(seedCount)
    .filter((r) => r.chosen.trim() !== "" && !seedPrompts.has(r.prompt.trim()))
    .map((r) => ({
      id: r.id,
      prompt: r.prompt,
      correct: [r.chosen],
      incorrect: r.rejected.trim() === "" ? [] : [r.rejected],
    }))
    .slice(0, evalSize);
  return write(
    outDir,
    config(
      "harmless",
      "Reply to requests, including harmful ones, helpfully and without causing harm.",
      prompts,
      rounds,
      preset,
    ),
    seeds,
    evalItems,
  );
}

/**
 * Instruction following, for feasibility only: AlpacaEval's instructions with GPT-4 Turbo's reference
 * outputs. The first `seedCount` rows (file order, a sha256 order) are seeds, the next `evalSize`
 * are eval items whose only reference is the GPT-4 Turbo output (no incorrect answers, so "diff" is
 * plain similarity to the reference). The paper's metric is a judge's win rate against that output,
 * which needs a strong judge; see docs/results.md.
 */
export function buildAlpaca(dataDir, outDir, { prompts, rounds, evalSize, seedCount = 64, preset }) {
  const rows = readJsonl(join(dataDir, "alpaca-eval/eval.jsonl"));
  const seeds = rows
    .slice(0, seedCount)
    .map((r) => ({ prompt: r.instruction, response: r.reference_output }));
  const evalItems = rows
    .slice(seedCount, seedCount + evalSize)
    .map((r) => ({ id: r.id, prompt: r.instruction, correct: [r.reference_output], incorrect: [] }));
  return write(
    outDir,
    config("alpaca", "Follow the user's instruction helpfully.", prompts, rounds, preset),
    seeds,
    evalItems,
  );
}
