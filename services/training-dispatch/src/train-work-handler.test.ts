/**
 * The training handler in process, without Kafka: a real artifact folder and the Trainer test double
 * (`fake-trainer.ts`, standing in for the Python trainer). What a user of the stage would notice: the
 * dataset the trainer gets, the TrainDone it reports, the files it leaves, whether training ran again,
 * and which failures end the round and which are retried.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ErrorCode, runArtifacts, TrainingData, TrainingMethod } from "@isara/contracts";
import {
  type ArtifactStore,
  IsaraError,
  isIsaraError,
  lossSummary,
  MAX_LOSS_POINTS,
  type Trainer,
} from "@isara/core";
import { FsArtifactStore } from "@isara/store-fs";
import { createFakeTrainer } from "../testing/fake-trainer.js";
import { handlerWith, type LogLines, runOnce, stageJob } from "../testing/handler-harness.js";
import {
  FIXTURE_SEEDS,
  FIXTURE_TRAINING,
  fixtureWork,
  writeAccepted,
  writeFixtureRun,
} from "../testing/run-fixture.js";

let dir: string;
let modelPath: string;
let artifacts: FsArtifactStore;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "isara-training-dispatch-"));
  modelPath = join(dir, "tiny.gguf");
  await writeFile(modelPath, "a model file");
  artifacts = new FsArtifactStore({ root: join(dir, "artifacts") });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const seedRows = FIXTURE_SEEDS.map(({ prompt, response }) => ({ prompt, response }));

describe("the round's dataset and training", () => {
  test("ISARA trains on the seeds followed by the round's accepted set, and reports artifact keys", async () => {
    const trainer = createFakeTrainer();
    const { handle } = handlerWith(artifacts, trainer, modelPath);
    await writeFixtureRun(artifacts, "run-isara");
    const accepted = await writeAccepted(artifacts, "run-isara", 1, [
      "Why do leaves fall?",
      "Can moss grow indoors?",
    ]);
    const work = fixtureWork("run-isara", { correlationId: "req-7" });
    const { message, done } = await runOnce(handle, work);

    assert.equal(trainer.trainings.length, 1);
    const [seen] = trainer.trainings;
    assert.ok(seen);
    assert.deepEqual(seen.rows, [
      ...seedRows,
      ...accepted.map(({ prompt, response }) => ({ prompt, response })),
    ]);
    const keys = runArtifacts("run-isara");
    assert.equal(seen.spec.datasetPath, artifacts.locate(keys.trainDataset(1)));
    assert.equal(seen.spec.outputDir, artifacts.locate(keys.trainDir(1)));
    assert.equal(seen.spec.baseModel, modelPath, "the work's model name resolved to the replica's file");
    assert.equal(seen.spec.previousAdapter, undefined);
    assert.deepEqual(
      {
        lr: seen.spec.learningRate,
        seed: seen.spec.seed,
        method: seen.spec.method,
        rank: seen.spec.loraRank,
      },
      { lr: work.learningRate, seed: work.seed, method: "lora", rank: FIXTURE_TRAINING.loraRank },
    );

    assert.equal(message.key, "run-isara", "keyed by run id");
    assert.equal(message.headers["x-request-id"], "req-7");
    assert.deepEqual(done.context, work.context);
    assert.equal(done.idempotencyKey, "run-isara/1/train");
    assert.equal(done.outcome?.$case, "result");
    assert.deepEqual(done.outcome.value, {
      summary: { adapter: "run-isara/round-1/train", finalLoss: 1, steps: 3 },
      adapterDir: "run-isara/round-1/train/adapter",
      ggufAdapterPath: "run-isara/round-1/train/adapter.gguf",
      losses: [3, 2, 1],
    });
    const record = JSON.parse(await readFile(artifacts.locate(keys.trainResult(1)), "utf8")) as Record<
      string,
      unknown
    >;
    assert.equal(record.idempotencyKey, "run-isara/1/train");
    assert.equal(record.datasetRows, FIXTURE_SEEDS.length + accepted.length);
  });

  test("a long training reports a summary of its loss curve; the completion record keeps every step", async () => {
    const fake = createFakeTrainer();
    const steps = 5000;
    const losses = Array.from({ length: steps }, (_, i) => 3 / (1 + i / 100));
    const trainer: Trainer = {
      ...fake,
      train: async (spec, onProgress, signal) => ({
        ...(await fake.train(spec, onProgress, signal)),
        steps,
        finalLoss: losses.at(-1) as number,
        losses,
      }),
    };
    const { handle } = handlerWith(artifacts, trainer, modelPath);
    await writeFixtureRun(artifacts, "run-long");
    const work = fixtureWork("run-long", { data: TrainingData.SEEDS });
    const first = await runOnce(handle, work);
    assert.equal(first.done.outcome?.$case, "result");
    const reported = first.done.outcome.value.losses;
    assert.deepEqual(reported, lossSummary(losses));
    assert.equal(reported.length, MAX_LOSS_POINTS);
    assert.equal(
      reported.at(-1),
      first.done.outcome.value.summary?.finalLoss,
      "the last point is the final loss",
    );
    const record = JSON.parse(
      await readFile(artifacts.locate(runArtifacts("run-long").trainResult(1)), "utf8"),
    ) as { losses: number[] };
    assert.equal(record.losses.length, steps, "every step's loss stays in the completion record");

    const replayed = await runOnce(handle, work);
    assert.deepEqual(replayed.done.outcome, first.done.outcome, "a replay reports the same summary");
  });

  test("the trainer settings come from the run's snapshot; the copies an older controller sets are ignored", async () => {
    const trainer = createFakeTrainer();
    const { handle } = handlerWith(artifacts, trainer, modelPath);
    await writeFixtureRun(artifacts, "run-legacy");
    const legacy = {
      ...fixtureWork("run-legacy", { data: TrainingData.SEEDS }),
      method: TrainingMethod.FULL,
      batchSize: 64,
      maxSequenceLength: 4096,
      loraRank: 99,
      loraAlpha: 0,
      loraDropout: 0.99,
    };
    const { done } = await runOnce(handle, legacy);
    assert.equal(done.outcome?.$case, "result");
    const spec = trainer.trainings[0]?.spec;
    assert.ok(spec);
    assert.deepEqual(
      {
        method: spec.method,
        batchSize: spec.batchSize,
        maxSequenceLength: spec.maxSequenceLength,
        loraRank: spec.loraRank,
        loraAlpha: spec.loraAlpha,
        loraDropout: spec.loraDropout,
      },
      FIXTURE_TRAINING,
    );
    assert.equal(spec.learningRate, legacy.learningRate, "the round's learning rate is the message's");
  });

  test("sft-seeds trains on the seeds alone and needs no accepted set", async () => {
    const trainer = createFakeTrainer();
    const { handle } = handlerWith(artifacts, trainer, modelPath);
    await writeFixtureRun(artifacts, "run-sft");
    const { done } = await runOnce(handle, fixtureWork("run-sft", { data: TrainingData.SEEDS }));
    assert.equal(done.outcome?.$case, "result");
    assert.deepEqual(trainer.trainings[0]?.rows, seedRows);
    const dataset = await readFile(artifacts.locate(runArtifacts("run-sft").trainDataset(1)), "utf8");
    assert.equal(dataset.trim().split("\n").length, FIXTURE_SEEDS.length);
  });

  test("a later round continues from the previous adapter, given as an artifact key or a path", async () => {
    const trainer = createFakeTrainer();
    const { handle } = handlerWith(artifacts, trainer, modelPath);
    await writeFixtureRun(artifacts, "run-two");
    await writeAccepted(artifacts, "run-two", 2, ["What is compost?"]);
    await runOnce(
      handle,
      fixtureWork("run-two", { round: 2, previousAdapter: "run-two/round-1/train/adapter" }),
    );
    assert.equal(
      trainer.trainings[0]?.spec.previousAdapter,
      artifacts.locate("run-two/round-1/train/adapter"),
    );
    await writeAccepted(artifacts, "run-two", 3, ["What is mulch?"]);
    await runOnce(handle, fixtureWork("run-two", { round: 3, previousAdapter: "/models/adapters/r2" }));
    assert.equal(trainer.trainings[1]?.spec.previousAdapter, "/models/adapters/r2");
  });

  test("progress is logged with the run, domain and round; trainings run one at a time", async () => {
    const trainer = createFakeTrainer();
    const { handle } = handlerWith(artifacts, trainer, modelPath);
    await writeFixtureRun(artifacts, "run-log");
    await writeAccepted(artifacts, "run-log", 1, ["Why prune roses?"]);
    await writeAccepted(artifacts, "run-log", 2, ["Why prune apples?"]);
    const lines: LogLines = [];
    await Promise.all([
      runOnce(handle, fixtureWork("run-log", { round: 1 }), lines),
      runOnce(handle, fixtureWork("run-log", { round: 2 }), lines),
    ]);
    assert.equal(trainer.maxConcurrent, 1, "the second training waited for the first");
    const progress = lines.filter((l) => l.msg === "training progress");
    assert.equal(progress.length, 6);
    assert.ok(
      progress.every((l) => l.run === "run-log" && l.domain === "tiny-plants" && typeof l.round === "number"),
    );
    assert.deepEqual(
      progress.filter((l) => l.round === 1).map((l) => l.loss),
      [3, 2, 1],
    );
  });
});

test("with STAGE_CONCURRENCY 2, two runs' trainings run at once and a third waits", async () => {
  const trainer = createFakeTrainer();
  const { handle } = handlerWith(artifacts, trainer, modelPath, { concurrency: 2 });
  for (const run of ["run-c1", "run-c2", "run-c3"]) {
    await writeFixtureRun(artifacts, run);
    await writeAccepted(artifacts, run, 1, ["Why prune roses?"]);
  }
  const done = await Promise.all(
    ["run-c1", "run-c2", "run-c3"].map((run) => runOnce(handle, fixtureWork(run, { round: 1 }))),
  );
  assert.equal(trainer.maxConcurrent, 2);
  assert.deepEqual(
    done.map((d) => d.done.outcome?.$case),
    ["result", "result", "result"],
  );
});

describe("redelivery", () => {
  test("a redelivered TrainWork is answered from result.json: no training, identical TrainDone", async () => {
    const trainer = createFakeTrainer();
    const { handle, outcomes } = handlerWith(artifacts, trainer, modelPath);
    await writeFixtureRun(artifacts, "run-again");
    await writeAccepted(artifacts, "run-again", 1, ["Why water at dawn?"]);
    const work = fixtureWork("run-again");
    const first = await runOnce(handle, work);
    const second = await runOnce(handle, {
      ...work,
      context: { ...work.context, correlationId: "req-7" },
    } as typeof work);
    assert.equal(trainer.trainings.length, 1, "the trainer did not run again");
    assert.deepEqual(second.done.outcome, first.done.outcome);
    assert.match(await outcomes(), /outcome="replayed"} 1/);
    assert.match(await outcomes(), /outcome="trained"} 1/);
  });

  test("only the trainer's own result.json (a crash before the record) or lost outputs train again", async () => {
    const trainer = createFakeTrainer();
    const { handle } = handlerWith(artifacts, trainer, modelPath);
    await writeFixtureRun(artifacts, "run-torn");
    await writeAccepted(artifacts, "run-torn", 1, ["Why water at dusk?"]);
    const work = fixtureWork("run-torn");
    await runOnce(handle, work);
    const keys = runArtifacts("run-torn");
    await writeFile(
      artifacts.locate(keys.trainResult(1)),
      JSON.stringify({ adapterDir: "/x", steps: 3, finalLoss: 1 }),
    );
    await runOnce(handle, work);
    assert.equal(trainer.trainings.length, 2);
    await rm(artifacts.locate("run-torn/round-1/train/adapter.gguf"));
    const { done } = await runOnce(handle, work);
    assert.equal(trainer.trainings.length, 3);
    assert.equal(done.outcome?.$case, "result");
  });

  test("a record of the same round with other settings is a conflict, not a wrong answer", async () => {
    const trainer = createFakeTrainer();
    const { handle } = handlerWith(artifacts, trainer, modelPath);
    await writeFixtureRun(artifacts, "run-conflict");
    await writeAccepted(artifacts, "run-conflict", 1, ["Why repot?"]);
    await runOnce(handle, fixtureWork("run-conflict"));
    const other = fixtureWork("run-conflict", { learningRate: 1e-3 });
    await assert.rejects(handle(other, stageJob(other)), (err: unknown) => isIsaraError(err, "conflict"));
    assert.equal(trainer.trainings.length, 1);
  });
});

describe("failures", () => {
  test("the trainer refusing the input or failing the run ends the round in TrainDone.error", async () => {
    const trainer = createFakeTrainer();
    const { handle, outcomes } = handlerWith(artifacts, trainer, modelPath);
    await writeFixtureRun(artifacts, "run-fail");
    await writeAccepted(artifacts, "run-fail", 1, ["Why mist orchids?"]);
    trainer.script.push({ kind: "exit", code: 2, message: "invalid spec.json: loraRank must be >= 1" });
    const bad = await runOnce(handle, fixtureWork("run-fail"));
    assert.equal(bad.done.outcome?.$case, "error");
    assert.equal(bad.done.outcome.value.code, ErrorCode.INVALID_ARGUMENT);
    assert.match(bad.done.outcome.value.message, /loraRank must be >= 1/);

    trainer.script.push({ kind: "exit", code: 3, message: "loss became NaN; lower learningRate" });
    const nan = await runOnce(handle, fixtureWork("run-fail"));
    assert.equal(nan.done.outcome?.$case, "error");
    assert.equal(nan.done.outcome.value.code, ErrorCode.INTERNAL);
    assert.equal(
      await artifacts.exists(runArtifacts("run-fail").trainResult(1)),
      false,
      "no completion record",
    );
    assert.match(await outcomes(), /outcome="failed"} 2/);
  });

  test("a work for another base model is refused in TrainDone.error without training", async () => {
    const trainer = createFakeTrainer();
    const { handle } = handlerWith(artifacts, trainer, modelPath);
    await writeFixtureRun(artifacts, "run-model");
    const { done } = await runOnce(handle, fixtureWork("run-model", { baseModel: "Llama-3-70B" }));
    assert.equal(done.outcome?.$case, "error");
    assert.equal(done.outcome.value.code, ErrorCode.FAILED_PRECONDITION);
    assert.match(done.outcome.value.message, /trains model "tiny", but the work asks for "Llama-3-70B"/);
    assert.equal(trainer.trainings.length, 0);
    const byPath = await runOnce(
      handle,
      fixtureWork("run-model", { baseModel: modelPath, data: TrainingData.SEEDS }),
    );
    assert.equal(byPath.done.outcome?.$case, "result", "the model's path names it too");
  });

  test("a trainer killed by a signal is retried (retryable error), not reported", async () => {
    const trainer = createFakeTrainer();
    const { handle } = handlerWith(artifacts, trainer, modelPath);
    await writeFixtureRun(artifacts, "run-killed");
    await writeAccepted(artifacts, "run-killed", 1, ["Why stake tomatoes?"]);
    trainer.script.push({ kind: "signal", signal: "SIGKILL" });
    const work = fixtureWork("run-killed");
    await assert.rejects(handle(work, stageJob(work)), (err: unknown) => {
      assert.ok(isIsaraError(err, "unavailable"), String(err));
      assert.ok(err.retryable);
      assert.match(err.message, /killed by SIGKILL/);
      return true;
    });
    const { done } = await runOnce(handle, work);
    assert.equal(done.outcome?.$case, "result", "the retry trains");
  });

  test("an artifact store that is down is retried; nothing is trained", async () => {
    const trainer = createFakeTrainer();
    await writeFixtureRun(artifacts, "run-down");
    /** Test double of a shared volume that went away: every read fails as the store reports it. */
    const down: ArtifactStore = {
      read: async (key) => {
        throw new IsaraError("unavailable", `cannot read ${key}: the artifact volume is not mounted`);
      },
      write: (k, d) => artifacts.write(k, d),
      exists: (k) => artifacts.exists(k),
      locate: (k) => artifacts.locate(k),
    };
    const { handle } = handlerWith(down, trainer, modelPath);
    const work = fixtureWork("run-down");
    await assert.rejects(handle(work, stageJob(work)), (err: unknown) => isIsaraError(err) && err.retryable);
    assert.equal(trainer.trainings.length, 0);
  });

  test("poison is thrown, not answered: invalid work, unknown run, a missing accepted set", async () => {
    const trainer = createFakeTrainer();
    const { handle } = handlerWith(artifacts, trainer, modelPath);
    const outside = { ...fixtureWork("run-poison"), outputKey: "other-run/round-1/train", epochs: 0 };
    await assert.rejects(handle(outside, stageJob(outside)), (err: unknown) => {
      assert.ok(isIsaraError(err, "invalid_argument"));
      assert.match(err.message, /output_key "other-run\/round-1\/train" is outside the run's folder/);
      assert.match(err.message, /epochs must be > 0/);
      return true;
    });
    const nobody = fixtureWork("run-nobody");
    await assert.rejects(handle(nobody, stageJob(nobody)), (err: unknown) => {
      return isIsaraError(err, "not_found") && err.message.includes("run-nobody/domain/domain.json");
    });
    await writeFixtureRun(artifacts, "run-noaccepted");
    const noAccepted = fixtureWork("run-noaccepted");
    await assert.rejects(handle(noAccepted, stageJob(noAccepted)), (err: unknown) => {
      return isIsaraError(err, "not_found") && err.message.includes("run-noaccepted/round-1/accepted.jsonl");
    });
    assert.equal(trainer.trainings.length, 0);
  });

  test("a shutdown abort stops the training with a cancellation and leaves no record", async () => {
    const trainer = createFakeTrainer();
    const { handle } = handlerWith(artifacts, trainer, modelPath);
    await writeFixtureRun(artifacts, "run-abort");
    await writeAccepted(artifacts, "run-abort", 1, ["Why feed roses?"]);
    trainer.script.push({ kind: "block" });
    const work = fixtureWork("run-abort");
    const abort = new AbortController();
    const started = trainer.started();
    const running = handle(work, stageJob(work, [], abort.signal));
    await started;
    abort.abort();
    await assert.rejects(running, (err: unknown) => isIsaraError(err, "cancelled"));
    assert.equal(await artifacts.exists(runArtifacts("run-abort").trainResult(1)), false);
  });

  test("a training past its timeout is stopped and retried", async () => {
    const trainer = createFakeTrainer();
    const { handle } = handlerWith(artifacts, trainer, modelPath, { trainingTimeoutMs: 50 });
    await writeFixtureRun(artifacts, "run-slow");
    await writeAccepted(artifacts, "run-slow", 1, ["Why wait?"]);
    trainer.script.push({ kind: "block" });
    const work = fixtureWork("run-slow");
    await assert.rejects(handle(work, stageJob(work)), (err: unknown) => {
      return isIsaraError(err, "deadline_exceeded") && err.retryable && /TRAINING_TIMEOUT/.test(err.message);
    });
  });
});
