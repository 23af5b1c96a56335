/**
 * The distributed mode on a pretrained base model that is not a llama: the local stack (real Kafka,
 * every service as a process) on Gemma 3 270M, one round through the gateway with a real LoRA
 * training. Round 1 generates with the base model and trains; round 1's evaluation must run on the
 * base model plus that adapter, and not silently on the base model alone.
 *
 * What proves the evaluation service's llama.cpp applied the LoRA: the stack's round-1 evaluation
 * answers (greedy) are exactly what llama.cpp writes here for the same questions with the round's
 * GGUF adapter, and not what it writes with the base model alone, which are the round-0 answers.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { completionKey, runArtifacts } from "@isara/contracts";
import { inspectGguf } from "@isara/llm-llama";
import {
  assertEvaluatedWithAdapter,
  gemmaModelPath,
  gemmaSkip,
  writeGemmaDomain,
} from "../embedded/gemma-fixture.js";
import { allSamples } from "./run-accounting.js";
import { distributedSkip, readJsonl, startTestStack } from "./stack-fixture.js";

const GEMMA = gemmaModelPath();
const skip = distributedSkip() || gemmaSkip(GEMMA);

test("distributed: a pretrained Gemma 3 model trains, and round 1's evaluation runs on its adapter", {
  skip,
  timeout: 900_000,
}, async (ctx) => {
  const started = Date.now();
  const t = await startTestStack({ modelPath: GEMMA });
  ctx.after(() => t.stop());
  await t.client.uploadDomain(await writeGemmaDomain("gemma", 1));
  await t.client.createRun({ domain: "gemma", runId: "gemma" });
  const end = await t.client.waitForRun("gemma", { timeoutMs: 12 * 60_000 });
  assert.equal(end.state, "done", JSON.stringify(end.error));

  // The run's folder on the artifact volume (the controller's run id is the tenant's, prefixed).
  const keys = runArtifacts(`${t.stack.tenant}--gemma`);
  const artifact = (key: string) => join(t.stack.dir, "artifacts", key);

  // The adapter: a GGUF LoRA for gemma3, recorded by round 1's training as an artifact key.
  const train = JSON.parse(await readFile(artifact(keys.trainResult(1)), "utf8")) as {
    ggufAdapterPath?: string;
  };
  assert.ok(train.ggufAdapterPath, "round 1's training wrote no GGUF adapter");
  const adapter = artifact(train.ggufAdapterPath);
  assert.equal((await inspectGguf(adapter, "adapter", "gemma3")).architecture, "gemma3");

  // Lineage: round 1 was written by the base model (no adapter yet).
  const round1 = await allSamples(t.client, "gemma", 1);
  assert.ok(round1.length > 0, "round 1 judged samples");
  for (const s of round1) assert.equal(s.lineage.generatorModel, "gemma-3-270m-q4_k_m");

  // The evaluation service was asked for round 1 with that adapter ...
  const done = JSON.parse(await readFile(artifact(completionKey(keys.evalResults(1))), "utf8")) as {
    model: { adapter?: string };
  };
  assert.equal(done.model.adapter, train.ggufAdapterPath, "round 1 is evaluated with its GGUF adapter");
  // ... and llama.cpp applied it: its answers are what this model writes with and without it.
  await assertEvaluatedWithAdapter({
    modelPath: GEMMA,
    snapshotDir: artifact(`${keys.root}domain`),
    adapter,
    round0: await readJsonl(t.stack, keys.evalResults(0)),
    round1: await readJsonl(t.stack, keys.evalResults(1)),
  });
  process.stderr.write(`gemma distributed end-to-end: ${Math.round((Date.now() - started) / 1000)} s\n`);
});
