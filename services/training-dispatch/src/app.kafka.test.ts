/**
 * The training-dispatch service end to end on a real Kafka broker (started by @isara/testkit/kafka)
 * with the Trainer test double standing in for the Python trainer (which has its own real test in
 * train-work-handler.trainer.test.ts): TrainWork in, TrainDone or a dead letter out, the dataset and
 * result.json on the artifact volume, probes and metrics over HTTP, a shutdown that aborts the running
 * training and leaves it uncommitted, and the process itself started from its environment and stopped
 * with SIGTERM. Skipped, with the reason, where Java or the Kafka jars are missing.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type DeadLetter, decodeTopicMessage, ErrorCode, TOPICS, type TrainDone } from "@isara/contracts";
import { createCatalogueProducer, kafkaLogging, outgoingMessage } from "@isara/kafka-kit";
import { createShutdown, freePort, type Shutdown } from "@isara/kit";
import { writeGguf } from "@isara/llm-llama";
import { FsArtifactStore } from "@isara/store-fs";
import { type LoopbackHttp, serveLoopback, waitFor } from "@isara/testkit";
import {
  type KafkaBroker,
  kafkaSkipReason,
  observeTopics,
  sendRecord,
  startKafka,
  TEST_STAGE_TIMINGS,
  type TopicObserver,
} from "@isara/testkit/kafka";
import { Kafka, type Producer } from "kafkajs";
import { createFakeTrainer, type FakeTrainer } from "../testing/fake-trainer.js";
import { arrayLogger, type LogLines } from "../testing/handler-harness.js";
import { FIXTURE_SEEDS, fixtureWork, writeAccepted, writeFixtureRun } from "../testing/run-fixture.js";
import { createTrainingDispatchApp, type TrainingDispatchApp } from "./app.js";
import { baseModel } from "./base-model.js";

const skip = kafkaSkipReason();
const mainScript = join(dirname(fileURLToPath(import.meta.url)), "main.js");

describe("the training-dispatch service on a real broker", () => {
  let broker: KafkaBroker;
  let dir: string;
  let modelPath: string;
  let artifacts: FsArtifactStore;
  let kafka: Kafka;
  let trainer: FakeTrainer;
  let app: TrainingDispatchApp;
  let shutdown: Shutdown;
  let probes: LoopbackHttp;
  let base: string;
  let producer: Producer;
  let observer: TopicObserver;
  let child: ChildProcess | undefined;
  const logLines: LogLines = [];
  const on = (topic: string) => observer.on(topic);
  const deadKeys = () => [...new Set(on(TOPICS.trainDeadLetter.name).map((s) => s.key))].sort();
  /** What the observer read and the service's last log lines, for a wait that gives up. */
  const state = () =>
    [
      `seen: ${JSON.stringify((observer?.seen ?? []).map((s) => `${s.topic}/${s.key}`))}`,
      "last log lines:",
      ...logLines.slice(-25).map((l) => JSON.stringify(l)),
    ].join("\n");

  before(async () => {
    if (skip !== false) return;
    broker = await startKafka();
    dir = await mkdtemp(join(tmpdir(), "isara-training-dispatch-kafka-"));
    modelPath = join(dir, "tiny.gguf");
    // The process's start check reads the architecture from the header; nothing loads the model.
    await writeGguf(modelPath, {
      metadata: new Map([["general.architecture", { type: "string", value: "llama" }]]),
      tensors: [],
    });
    artifacts = new FsArtifactStore({ root: join(dir, "artifacts") });
    for (const run of ["run-a", "run-b", "run-c"]) {
      await writeFixtureRun(artifacts, run);
      await writeAccepted(artifacts, run, 1, [`Why does ${run} need light?`]);
    }
    const logger = arrayLogger(logLines, "info");
    kafka = new Kafka({
      clientId: "training-dispatch-test",
      brokers: [broker.bootstrap],
      ...kafkaLogging(logger),
    });
    trainer = createFakeTrainer();
    app = createTrainingDispatchApp({
      logger,
      kafka,
      artifacts,
      openTrainer: () => trainer,
      baseModel: baseModel(modelPath, "tiny"),
      ...TEST_STAGE_TIMINGS,
      drainTimeoutMs: 0,
    });
    shutdown = createShutdown({ logger, timeoutMs: 10_000, onStart: (r) => app.health.startDraining(r) });
    probes = await serveLoopback(app.handleHttp);
    base = probes.base;
  });

  after(async () => {
    child?.kill("SIGKILL");
    await shutdown?.shutdown("tests done");
    await observer?.disconnect();
    await producer?.disconnect();
    probes?.close();
    await broker?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function send(value: Buffer, key: string, headers: Record<string, string> = {}): Promise<void> {
    await sendRecord(producer, TOPICS.trainWork.name, value, key, headers);
  }

  async function sendWork(run: string, correlationId?: string): Promise<void> {
    const record = outgoingMessage(
      TOPICS.trainWork,
      fixtureWork(run, correlationId ? { correlationId } : {}),
    );
    await send(record.value, run, { ...record.headers });
  }

  test("is not ready until the group is joined, then ready", { skip }, async () => {
    assert.equal((await fetch(`${base}/readyz`)).status, 503);
    assert.equal((await fetch(`${base}/healthz`)).status, 200, "alive while starting");
    await app.start(shutdown);
    // start() resolves once the consumer runs; joining the group can take a moment longer on a busy machine.
    let ready = await fetch(`${base}/readyz`);
    for (let i = 0; i < 300 && ready.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = await fetch(`${base}/readyz`);
    }
    assert.equal(ready.status, 200, await ready.text());

    producer = createCatalogueProducer(kafka);
    await producer.connect();
    observer = await observeTopics(kafka, [TOPICS.trainDone.name, TOPICS.trainDeadLetter.name]);
  });

  test("one TrainWork gives one TrainDone with the adapter keys, the dataset and result.json on the volume", {
    skip,
  }, async () => {
    await sendWork("run-a", "req-a1");
    await waitFor("TrainDone of run-a", () => on(TOPICS.trainDone.name).length === 1, undefined, state);
    const [out] = on(TOPICS.trainDone.name);
    assert.ok(out);
    assert.equal(out.key, "run-a");
    assert.deepEqual(out.headers, {
      "x-request-id": "req-a1",
      "x-isara-run": "run-a",
      "x-isara-domain": "tiny-plants",
      "x-isara-round": "1",
    });
    const done: TrainDone = decodeTopicMessage(TOPICS.trainDone, out.value);
    assert.equal(done.idempotencyKey, "run-a/1/train");
    assert.equal(done.outcome?.$case, "result");
    assert.equal(done.outcome.value.summary?.adapter, "run-a/round-1/train");
    assert.equal(done.outcome.value.ggufAdapterPath, "run-a/round-1/train/adapter.gguf");
    const dataset = await readFile(artifacts.locate("run-a/round-1/train/dataset.jsonl"), "utf8");
    assert.equal(dataset.trim().split("\n").length, FIXTURE_SEEDS.length + 1);
    assert.ok(await artifacts.exists("run-a/round-1/train/result.json"));

    const finished = logLines.find((l) => l.msg === "training finished");
    assert.ok(finished, "the training logged its end");
    assert.deepEqual(
      [finished.run, finished.domain, finished.round, finished.requestId, finished.service],
      ["run-a", "tiny-plants", 1, "req-a1", "training-dispatch"],
    );
    assert.ok(logLines.some((l) => l.msg === "training progress" && l.run === "run-a"));
  });

  test("the same TrainWork delivered twice trains once; both TrainDone are identical", { skip }, async () => {
    await sendWork("run-a", "req-a1");
    await waitFor(
      "the second TrainDone of run-a",
      () => on(TOPICS.trainDone.name).length === 2,
      undefined,
      state,
    );
    const [first, second] = on(TOPICS.trainDone.name);
    assert.deepEqual(second?.value, first?.value);
    assert.equal(trainer.trainings.length, 1, "no training for the redelivery");
  });

  test("poison goes to the dead-letter topic with the reason, and the consumer carries on", {
    skip,
  }, async () => {
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    await send(garbage, "run-x", { "x-request-id": "req-junk" });
    await sendWork("run-nobody");
    await sendWork("run-b");
    await waitFor("the dead letters of run-x and run-nobody", () => deadKeys().length >= 2, undefined, state);
    // At-least-once: a rebalance may deliver a message again, so letters are counted per key.
    assert.deepEqual(deadKeys(), ["run-nobody", "run-x"], state());
    const letters = on(TOPICS.trainDeadLetter.name).map((s) => ({
      ...s,
      letter: decodeTopicMessage(TOPICS.trainDeadLetter, s.value) as DeadLetter,
    }));
    const junk = letters.find((l) => l.key === "run-x");
    assert.ok(junk);
    assert.deepEqual(junk.letter.payload, garbage);
    assert.equal(junk.letter.error?.code, ErrorCode.INVALID_ARGUMENT);
    assert.equal(junk.letter.consumerGroup, "training-dispatch");
    const nobody = letters.find((l) => l.key === "run-nobody");
    assert.ok(nobody);
    assert.equal(nobody.letter.error?.code, ErrorCode.NOT_FOUND);
    assert.match(nobody.letter.reason, /run-nobody\/domain\/domain.json/);
    await waitFor(
      "TrainDone of run-b after the poison",
      () => on(TOPICS.trainDone.name).some((s) => s.key === "run-b"),
      undefined,
      state,
    );
  });

  test("shutdown aborts the running training, leaves it uncommitted, and closes in reverse order", {
    skip,
  }, async () => {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /isara_trainings_total\{[^}]*outcome="trained"[^}]*\} 2/);
    assert.match(metrics, /isara_trainings_total\{[^}]*outcome="replayed"[^}]*\} 1/);
    assert.match(metrics, /isara_dead_letters_total\{[^}]*code="not_found"[^}]*\} 1/);
    assert.match(metrics, /isara_training_steps_total\{[^}]*\} 6/);

    trainer.script.push({ kind: "block" });
    const started = trainer.started();
    await sendWork("run-c");
    await started;
    assert.match(await (await fetch(`${base}/metrics`)).text(), /isara_training_in_progress\{[^}]*\} 1/);
    const report = await shutdown.shutdown("test");
    assert.equal(report.ok, true, JSON.stringify(report.results));
    assert.deepEqual(
      report.results.map((r) => r.name),
      ["kafka-consumer", "trainer", "kafka-producer"],
    );
    assert.equal((await fetch(`${base}/readyz`)).status, 503);
    assert.equal(await artifacts.exists("run-c/round-1/train/result.json"), false);

    const admin = kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({
      groupId: "training-dispatch",
      topics: [TOPICS.trainWork.name],
    });
    await admin.disconnect();
    const committed = (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    assert.equal(committed, 5, "every message but the aborted training was committed");
  });

  test("the process starts from its environment, takes over the aborted work, and exits 0 on SIGTERM", {
    skip,
  }, async () => {
    const port = await freePort();
    const out: string[] = [];
    const proc = spawn(process.execPath, [mainScript], {
      env: {
        PATH: process.env.PATH,
        KAFKA_BROKERS: broker.bootstrap,
        ARTIFACT_ROOT: join(dir, "artifacts"),
        BASE_MODEL_PATH: modelPath,
        // Any interpreter that exists passes the start check; no training is asked of it here.
        TRAINER_PYTHON: process.execPath,
        HTTP_PORT: String(port),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    proc.stdout?.on("data", (chunk: Buffer) => out.push(chunk.toString()));
    proc.stderr?.on("data", (chunk: Buffer) => out.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    const readyz = async () =>
      (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status;
    await waitFor(
      "the process to be ready",
      async () => (await readyz()) === 200,
      undefined,
      () => out.join("").slice(-4000),
    );
    // run-c's training, aborted by the shutdown above and left uncommitted, is redelivered to the process;
    // its "python" cannot run the trainer, which ends the round in TrainDone.error.
    const doneOfC = () =>
      on(TOPICS.trainDone.name)
        .filter((s) => s.key === "run-c")
        .map((s) => decodeTopicMessage(TOPICS.trainDone, s.value));
    await waitFor(
      "the redelivered TrainDone of run-c",
      () => doneOfC().length === 1,
      undefined,
      () => `${state()}\nprocess output:\n${out.join("").slice(-4000)}`,
    );
    const [redelivered] = doneOfC();
    assert.equal(redelivered?.outcome?.$case, "error", out.join(""));
    assert.equal(redelivered.outcome.value.code, ErrorCode.INTERNAL);
    assert.match(redelivered.outcome.value.message, /the trainer exited with code/);
    proc.kill("SIGTERM");
    assert.equal(await exited, 0, out.join(""));
    const logged = out
      .join("")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { msg?: string; ok?: boolean; component?: string });
    assert.equal(logged.find((l) => l.msg === "shutdown finished")?.ok, true);
    assert.deepEqual(
      logged.filter((l) => l.msg === "component closed").map((l) => l.component),
      ["kafka-consumer", "trainer", "kafka-producer", "http"],
    );
  });
});
