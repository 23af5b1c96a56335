/**
 * What the Gemma 3 270M end-to-end tests of both modes share: where the model is, a small domain that
 * trains it visibly, and the answers llama.cpp writes here for a run's eval questions with and
 * without the round's GGUF adapter, which the run's stored evaluations must equal.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseDomainFiles } from "@isara/core";
import { createAnsweringEvaluator, createReferenceScorer } from "@isara/evaluators";
import { createLlamaLlm } from "@isara/llm-llama";
import { writeSmallDomain } from "./fixtures.js";

/** The pretrained Gemma 3 270M GGUF that infra/fetch-gemma3.sh puts in the model cache. */
export function gemmaModelPath(): string {
  if (process.env.ISARA_GEMMA3_MODEL) return process.env.ISARA_GEMMA3_MODEL;
  const cache =
    process.env.ISARA_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? "", ".cache"), "isara");
  return join(cache, "models/gemma-3-270m-q4_k_m.gguf");
}

/** Why the Gemma tests cannot run here (the GGUF is missing), or `false`. */
export function gemmaSkip(path = gemmaModelPath()): string | false {
  return existsSync(path)
    ? false
    : `the Gemma 3 270M GGUF is missing (${path}); run infra/fetch-gemma3.sh (or scripts/setup.sh gemma)`;
}

/**
 * The small domain (`writeSmallDomain`) shrunk for Gemma on 2 cores: 3 prompts of 16 tokens a round,
 * a few strong training steps (so the adapter visibly changes the greedy answers), no stop rule, and
 * two eval questions: each evaluation also scores every reference answer's likelihood, a forward pass
 * over the 262k-token vocabulary each.
 */
export async function writeGemmaDomain(name: string, rounds: number): Promise<string> {
  const domain = await writeSmallDomain(name);
  const config = JSON.parse(await readFile(join(domain, "domain.json"), "utf8")) as Record<
    string,
    Record<string, unknown>
  >;
  const sampling = (s: unknown) => ({ ...(s as Record<string, unknown>), maxTokens: 16 });
  const small = {
    ...config,
    isara: {
      ...config.isara,
      demos: 3,
      promptsPerRound: 3,
      rounds,
      promptSampling: sampling(config.isara?.promptSampling),
      answerSampling: sampling(config.isara?.answerSampling),
    },
    training: { ...config.training, learningRate: 2e-3, batchSize: 4, maxSequenceLength: 64 },
    stop: { minKeptFraction: 0, patience: 0 },
  };
  await writeFile(join(domain, "domain.json"), JSON.stringify(small, null, 2));
  const evalLines = (await readFile(join(domain, "eval.jsonl"), "utf8")).split("\n").filter(Boolean);
  await writeFile(join(domain, "eval.jsonl"), `${evalLines.slice(0, 2).join("\n")}\n`);
  return domain;
}

/** One eval answer, as a run stores it (`round-<t>/eval.jsonl`) and as the comparison reads it. */
interface EvalAnswer {
  readonly id: string;
  readonly answer: string;
}

/**
 * What llama.cpp writes here for the eval questions of a run's domain snapshot (`domain/` of a run
 * folder), with the base model alone and with `adapter`: the run's evaluator (the reference one)
 * without the likelihood scores, which are not compared.
 */
async function llamaEvalAnswers(
  modelPath: string,
  snapshotDir: string,
  adapter: string,
): Promise<{ base: EvalAnswer[]; tuned: EvalAnswer[] }> {
  const snapshot = (file: string) => readFile(join(snapshotDir, file), "utf8");
  const run = parseDomainFiles({
    config: await snapshot("domain.json"),
    seeds: await snapshot("seeds.jsonl"),
    eval: await snapshot("eval.jsonl"),
  });
  const llm = await createLlamaLlm({ modelPath });
  try {
    const evaluator = createAnsweringEvaluator({
      llm,
      sampling: run.config.isara.answerSampling,
      scorers: [createReferenceScorer()],
      likelihood: false,
    });
    const answers = async (withAdapter: boolean) =>
      (
        await evaluator.evaluate({ baseModel: modelPath, ...(withAdapter ? { adapter } : {}) }, run.eval)
      ).samples.map((s) => ({ id: s.id, answer: s.answer }));
    return { base: await answers(false), tuned: await answers(true) };
  } finally {
    await llm.close();
  }
}

/** A run's stored evaluations of round 0 (the base model) and round 1 (after one training). */
export interface StoredEvals {
  /** The model file the run used. */
  readonly modelPath: string;
  /** The run's domain snapshot folder (`domain/` of its run folder). */
  readonly snapshotDir: string;
  /** The GGUF LoRA file round 1's training wrote. */
  readonly adapter: string;
  /** The rows of `round-0/eval.jsonl` and `round-1/eval.jsonl`. */
  readonly round0: readonly Record<string, unknown>[];
  readonly round1: readonly Record<string, unknown>[];
}

/**
 * Proves llama.cpp applied the adapter in the run: its round-1 answers (greedy) are exactly what
 * llama.cpp writes here with the adapter, its round-0 answers what it writes with the base model
 * alone, and the two differ, so the adapter cannot be mistaken for the base model.
 */
export async function assertEvaluatedWithAdapter(run: StoredEvals): Promise<void> {
  const { base, tuned } = await llamaEvalAnswers(run.modelPath, run.snapshotDir, run.adapter);
  const stored = (rows: readonly Record<string, unknown>[]) =>
    rows.map((r) => ({ id: String(r.id), answer: String(r.answer) }));
  assert.deepEqual(stored(run.round0), base, "round 0 = base model");
  assert.deepEqual(stored(run.round1), tuned, "round 1 = base model + round 1's adapter");
  assert.ok(
    tuned.some((t, i) => t.answer !== base[i]?.answer),
    `the adapter changed no answer, so it cannot be told from the base model:\n${JSON.stringify(tuned)}`,
  );
}
