import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { parseDomainFiles, type Sample } from "@isara/core";
import { createAnsweringEvaluator, createReferenceScorer } from "@isara/evaluators";
import { createLlamaLlm, inspectGguf } from "@isara/llm-llama";
import { jsonl, realStackSkip, runsDir, startCli, waitFor, writeSmallDomain } from "./fixtures.js";

/** The pretrained Gemma 3 270M GGUF that infra/fetch-gemma3.sh puts in the model cache. */
function gemmaModelPath(): string {
  if (process.env.ISARA_GEMMA3_MODEL) return process.env.ISARA_GEMMA3_MODEL;
  const cache =
    process.env.ISARA_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? "", ".cache"), "isara");
  return join(cache, "models/gemma-3-270m-q4_k_m.gguf");
}

const GEMMA = gemmaModelPath();
const skip =
  realStackSkip() ||
  (existsSync(GEMMA)
    ? false
    : `the Gemma 3 270M GGUF is missing (${GEMMA}); run infra/fetch-gemma3.sh (or scripts/setup.sh gemma)`);

interface EvalRow {
  readonly id: string;
  readonly answer: string;
}

/**
 * The paper's setting, a pretrained (not instruction-tuned) base model that is not a llama: Gemma 3
 * 270M through `isara run`, with a real LoRA training in between. Round 1 generates with the base
 * model and trains; round 2's prompts and answers, and round 1's evaluation, must run on the base
 * model plus that adapter, as the lineage says, and not silently on the base model alone (what a
 * non-llama model did before its adapters were exported as GGUF). The run is stopped once round 2 is
 * filtered, so it trains once.
 *
 * What proves llama.cpp really applied the LoRA: the run's round-1 evaluation answers (greedy) are
 * exactly what llama.cpp writes here for the same questions with the round's GGUF adapter, and not
 * what it writes with the base model alone, which are the run's round-0 answers.
 */
test("a pretrained Gemma 3 model trains, and generation after training runs on its adapter", {
  skip,
  timeout: 900_000,
}, async () => {
  const started = Date.now();
  const domain = await writeSmallDomain("gemma");
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
      rounds: 2,
      promptSampling: sampling(config.isara?.promptSampling),
      answerSampling: sampling(config.isara?.answerSampling),
    },
    // A few strong steps, so the adapter visibly changes the greedy answers.
    training: { ...config.training, learningRate: 2e-3, batchSize: 4, maxSequenceLength: 64 },
    stop: { minKeptFraction: 0, patience: 0 },
  };
  await writeFile(join(domain, "domain.json"), JSON.stringify(small, null, 2));
  // Two questions: each evaluation also scores every reference answer's likelihood, a forward pass
  // over the 262k-token vocabulary each.
  const evalLines = (await readFile(join(domain, "eval.jsonl"), "utf8")).split("\n").filter(Boolean);
  await writeFile(join(domain, "eval.jsonl"), `${evalLines.slice(0, 2).join("\n")}\n`);
  const runDir = join(await runsDir(), "gemma-run");

  const cli = startCli(["run", domain, "--run-dir", runDir, "--model", GEMMA, "--json"]);
  const filtered = (round: number) =>
    existsSync(join(runDir, `round-${round}/accepted.jsonl`)) &&
    existsSync(join(runDir, `round-${round}/rejected.jsonl`));
  const ended = cli.done.then(() => true);
  await waitFor(
    async () => filtered(2) || (await Promise.race([ended, Promise.resolve(false)])),
    800_000,
    "round 2 to be filtered",
  );
  cli.kill("SIGINT");
  const result = await cli.done;
  assert.ok(filtered(2), `the run ended before round 2 was filtered:\n${result.stderr.slice(-3000)}`);

  // The adapter: a GGUF LoRA for gemma3, written by round 1's training.
  const train = JSON.parse(await readFile(join(runDir, "round-1/train/result.json"), "utf8")) as {
    ggufAdapterPath?: string;
  };
  assert.ok(train.ggufAdapterPath, "round 1's training wrote no GGUF adapter");
  const adapter = train.ggufAdapterPath;
  assert.equal((await inspectGguf(adapter, "adapter", "gemma3")).architecture, "gemma3");

  // Lineage: round 1 was written by the base model, round 2 by the base model + round 1's adapter.
  const rows = async (round: number) => [
    ...(await jsonl<Sample>(join(runDir, `round-${round}/accepted.jsonl`))),
    ...(await jsonl<Sample>(join(runDir, `round-${round}/rejected.jsonl`))),
  ];
  const round1 = await rows(1);
  const round2 = await rows(2);
  assert.ok(round1.length > 0 && round2.length > 0, "both rounds judged samples");
  for (const s of round1) assert.equal(s.lineage.generatorModel, "gemma-3-270m-q4_k_m");
  for (const s of round2) assert.equal(s.lineage.generatorModel, "gemma-3-270m-q4_k_m+round-1/train");

  // llama.cpp: the run's evaluations are what this model writes with and without the adapter.
  const snapshot = (file: string) => readFile(join(runDir, "domain", file), "utf8");
  const run = parseDomainFiles({
    config: await snapshot("domain.json"),
    seeds: await snapshot("seeds.jsonl"),
    eval: await snapshot("eval.jsonl"),
  });
  const llm = await createLlamaLlm({ modelPath: GEMMA });
  try {
    // The run's evaluator (the reference one) without the likelihood scores, which are not compared.
    const evaluator = createAnsweringEvaluator({
      llm,
      sampling: run.config.isara.answerSampling,
      scorers: [createReferenceScorer()],
      likelihood: false,
    });
    const answers = async (withAdapter: boolean) =>
      (
        await evaluator.evaluate({ baseModel: GEMMA, ...(withAdapter ? { adapter } : {}) }, run.eval)
      ).samples.map((s) => ({ id: s.id, answer: s.answer }));
    const base = await answers(false);
    const tuned = await answers(true);
    const byId = (r: readonly EvalRow[]) => r.map(({ id, answer }) => ({ id, answer }));
    assert.deepEqual(
      byId(await jsonl<EvalRow>(join(runDir, "round-0/eval.jsonl"))),
      base,
      "round 0 = base model",
    );
    assert.deepEqual(
      byId(await jsonl<EvalRow>(join(runDir, "round-1/eval.jsonl"))),
      tuned,
      "round 1 = base model + round 1's adapter",
    );
    assert.ok(
      tuned.some((t, i) => t.answer !== base[i]?.answer),
      `the adapter changed no answer, so it cannot be told from the base model:\n${JSON.stringify(tuned)}`,
    );
  } finally {
    await llm.close();
  }
  process.stderr.write(`gemma end-to-end: ${Math.round((Date.now() - started) / 1000)} s\n`);
});
