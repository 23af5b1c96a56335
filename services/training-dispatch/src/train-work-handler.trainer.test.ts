/**
 * The handler with the real Python trainer (subprocess, CPU) on a tiny llama written by the test:
 * a round is trained for real, the adapter it reports is the GGUF LoRA llama.cpp applies (as the
 * evaluation service loads it: the artifact key located on the shared volume), the next round
 * continues from the reported PEFT folder, and a redelivery trains nothing. Skipped, with the reason,
 * where the trainer's Python environment is missing.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { TrainDone } from "@isara/contracts";
import type { Trainer } from "@isara/core";
import { createLlamaLlm } from "@isara/llm-llama";
import { FsArtifactStore } from "@isara/store-fs";
import { arrayLogger, handlerWith, type LogLines, runOnce } from "../testing/handler-harness.js";
import { fixtureWork, writeAccepted, writeFixtureRun } from "../testing/run-fixture.js";
import { noTrainer, TRAINER_PYTHON, writeTinyTrainableGguf } from "../testing/tiny-model-fixture.js";
import { createTrainerLogRelay } from "./trainer-log.js";
import { openSubprocessTrainer } from "./trainer-process.js";

type Result = Extract<TrainDone["outcome"], { $case: "result" }>["value"];

function resultOf(done: TrainDone): Result {
  assert.equal(done.outcome?.$case, "result", JSON.stringify(done.outcome));
  return done.outcome.value;
}

describe("training a tiny model for real", { skip: noTrainer }, () => {
  let dir: string;
  let modelPath: string;
  let artifacts: FsArtifactStore;
  let trainer: Trainer;
  let calls = 0;
  const lines: LogLines = [];
  const relay = createTrainerLogRelay(arrayLogger(lines));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "isara-training-dispatch-real-"));
    modelPath = join(dir, "tiny.gguf");
    await writeTinyTrainableGguf(modelPath);
    artifacts = new FsArtifactStore({ root: join(dir, "artifacts") });
    const real = openSubprocessTrainer({ python: TRAINER_PYTHON, device: "cpu", threads: 2 }, relay.onLog);
    trainer = {
      train: (...args) => {
        calls++;
        return real.train(...args);
      },
      close: () => real.close(),
    };
    await writeFixtureRun(artifacts, "run-real");
    await writeAccepted(artifacts, "run-real", 1, ["How do I water a cactus?", "What is a prime number?"]);
    await writeAccepted(artifacts, "run-real", 2, ["Why is the sky blue?"]);
  });
  after(async () => {
    await trainer?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let round1: Result;

  test("round 1 trains, writes the adapter twice, and llama.cpp applies the GGUF LoRA it reports", async () => {
    const { handle } = handlerWith(artifacts, trainer, modelPath, { trainerLogs: relay });
    const work = fixtureWork("run-real", { learningRate: 0.05, epochs: 3 });
    const { done } = await runOnce(handle, work, lines);
    round1 = resultOf(done);
    assert.equal(round1.summary?.adapter, "run-real/round-1/train");
    assert.equal(round1.adapterDir, "run-real/round-1/train/adapter");
    assert.equal(round1.ggufAdapterPath, "run-real/round-1/train/adapter.gguf");
    assert.equal(round1.summary?.steps, 9, "10 rows, batches of 4, 3 epochs");
    assert.equal(round1.losses.length, 9);
    assert.ok(existsSync(join(artifacts.locate(round1.adapterDir), "adapter_model.safetensors")));
    assert.ok(
      lines.some((l) => l.trainer !== undefined && l.run === "run-real" && l.round === 1),
      "the trainer's own log lines carry the run and round",
    );

    const llm = await createLlamaLlm({ modelPath, parallelism: 1, contextSize: 256 });
    try {
      const request = {
        prompt: "BEGINNING OF CONVERSATION: USER: How often should plant number 3 be watered? ASSISTANT:",
        seed: 1,
        maxTokens: 12,
        temperature: 0,
        topP: 1,
        repetitionPenalty: 1,
      };
      const base = await llm.complete(request);
      // The evaluation service's llama backend locates an adapter artifact key on the shared volume.
      const tuned = await llm.complete({
        ...request,
        adapter: artifacts.locate(round1.ggufAdapterPath ?? ""),
      });
      assert.notEqual(tuned.text, base.text, "the trained adapter changes what the model writes");
    } finally {
      await llm.close();
    }
  });

  test("round 2 continues from the PEFT folder round 1 reported; redelivering round 1 trains nothing", async () => {
    const { handle, outcomes } = handlerWith(artifacts, trainer, modelPath, { trainerLogs: relay });
    const before = calls;
    const { done } = await runOnce(
      handle,
      fixtureWork("run-real", { round: 2, previousAdapter: round1.adapterDir, learningRate: 0.025 }),
    );
    const round2 = resultOf(done);
    assert.equal(round2.adapterDir, "run-real/round-2/train/adapter");
    assert.equal(calls, before + 1);
    const again = await runOnce(handle, fixtureWork("run-real", { learningRate: 0.05, epochs: 3 }));
    assert.deepEqual(resultOf(again.done), round1);
    assert.equal(calls, before + 1, "the redelivery did not start the trainer");
    assert.match(await outcomes(), /outcome="replayed"} 1/);
  });
});
