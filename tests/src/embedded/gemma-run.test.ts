import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import type { Sample } from "@isara/core";
import { inspectGguf } from "@isara/llm-llama";
import { jsonl, realStackSkip, runsDir, startCli, waitFor } from "./fixtures.js";
import { assertEvaluatedWithAdapter, gemmaModelPath, gemmaSkip, writeGemmaDomain } from "./gemma-fixture.js";

const GEMMA = gemmaModelPath();
const skip = realStackSkip() || gemmaSkip(GEMMA);

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
  const domain = await writeGemmaDomain("gemma", 2);
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
  await assertEvaluatedWithAdapter({
    modelPath: GEMMA,
    snapshotDir: join(runDir, "domain"),
    adapter,
    round0: await jsonl(join(runDir, "round-0/eval.jsonl")),
    round1: await jsonl(join(runDir, "round-1/eval.jsonl")),
  });
  process.stderr.write(`gemma end-to-end: ${Math.round((Date.now() - started) / 1000)} s\n`);
});
