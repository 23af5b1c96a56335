/**
 * A run of 20 000 prompts per round through the controller on a real Kafka broker (started by
 * @isara/testkit/kafka, at its default `message.max.bytes` of 1 MiB): created over gRPC, driven to
 * `done` through every phase by a test double playing the stage services (see test-workers.ts) that
 * answers each fetched batch of work at once and publishes the results as the stages do, in chunks
 * (kafka-kit's `sendInChunks`); the filter pass alone publishes 20 000 verdicts. The controller's work
 * window is as large as the phase (WORK_WINDOW allows up to 100 000), so each per-slot phase goes out
 * in one publish: before the controller published in chunks, that publish, 20 000 `PromptWork`
 * records in one request, was refused by the broker and the run never moved. Every record batch the
 * broker stored is checked to be within kafka-kit's budget. Skipped, with the reason, where Java or
 * the Kafka jars are missing.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { decodeTopicMessage, Phase, RunLifecycle, RunMode, TOPICS } from "@isara/contracts";
import {
  createCatalogueProducer,
  kafkaLogging,
  MAX_BATCH_BYTES,
  type OutgoingMessage,
  sendInChunks,
} from "@isara/kafka-kit";
import { createShutdown, type Shutdown } from "@isara/kit";
import { bindGrpcServer } from "@isara/kit/grpc";
import { lineLogger, waitFor } from "@isara/testkit";
import { type KafkaBroker, kafkaSkipReason, recordBatchSizes, startKafka } from "@isara/testkit/kafka";
import { type RetrievalServiceForTests, startRetrievalService } from "@isara/testkit/retrieval";
import { type Consumer, Kafka, type Producer } from "kafkajs";
import { controllerClient } from "../testing/test-client.js";
import { controllerStores, tinyConfig, writeDomain } from "../testing/test-fixtures.js";
import { respondTo, WORK_TOPIC_NAMES } from "../testing/test-workers.js";
import { createControllerApp } from "./app.js";
import { createRetrievalSeedStore } from "./seed-store.js";

const skip = kafkaSkipReason();
const SLOTS = 20_000;
const RUN = "large-run";

/** The topics whose record batches are checked: every one the run writes to. */
const WRITTEN = [
  TOPICS.promptWork,
  TOPICS.promptWritten,
  TOPICS.answerWork,
  TOPICS.answerWritten,
  TOPICS.filterWork,
  TOPICS.sampleJudged,
  TOPICS.trainWork,
  TOPICS.trainDone,
  TOPICS.evalWork,
  TOPICS.evalDone,
  TOPICS.runEvents,
];

describe("a run of 20 000 prompts per round on a real broker", () => {
  let broker: KafkaBroker;
  let dir: string;
  let root: string;
  let kafka: Kafka;
  let retrieval: RetrievalServiceForTests;
  let shutdown: Shutdown | undefined;
  let client: ReturnType<typeof controllerClient> | undefined;
  let workers: Consumer | undefined;
  let workerProducer: Producer | undefined;
  /** Idempotency keys of the per-slot work the test double received, by topic. */
  const received = new Map<string, Set<string>>();
  const logLines: Record<string, unknown>[] = [];
  const logger = lineLogger("controller", logLines);
  const recentLog = () =>
    logLines
      .slice(-20)
      .map((l) => JSON.stringify(l))
      .join("\n");

  before(async () => {
    if (skip !== false) return;
    broker = await startKafka();
    retrieval = await startRetrievalService();
    dir = await mkdtemp(join(tmpdir(), "isara-controller-large-"));
    root = join(dir, "artifacts");
    const domainsDir = join(dir, "domains");
    await writeDomain(domainsDir, "large", {
      config: JSON.stringify(tinyConfig("large", { promptsPerRound: SLOTS })),
    });
    kafka = new Kafka({
      clientId: "controller-large-test",
      brokers: [broker.bootstrap],
      ...kafkaLogging(logger),
    });

    const app = createControllerApp({
      logger,
      kafka,
      ...controllerStores(root),
      domainsDir,
      baseModel: "tiny-base",
      seeds: createRetrievalSeedStore(retrieval.address),
      adapterReference: "gguf",
      retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
      drainTimeoutMs: 2000,
      shutdownTimeoutMs: 10_000,
      consumer: { heartbeatIntervalMs: 500, maxWaitTimeMs: 200 },
      workWindow: SLOTS,
    });
    shutdown = createShutdown({ logger, timeoutMs: 10_000, onStart: (r) => app.startDraining(r) });
    await app.start(shutdown);
    const port = await bindGrpcServer(app.server, "127.0.0.1:0");
    shutdown.register("grpc", () => app.closeGrpc(5000));
    app.markServing();
    client = controllerClient(`127.0.0.1:${port}`);
    let readiness = await app.health.readiness();
    await waitFor(
      "the controller to be ready",
      async () => {
        readiness = await app.health.readiness();
        return readiness.status === "ok";
      },
      60_000,
      () => `${JSON.stringify(readiness.checks)}\n${recentLog()}`,
    );

    // The stage services' double: each fetched batch of work answered at once, its results published
    // as a stage publishes them.
    const producer = createCatalogueProducer(kafka);
    workerProducer = producer;
    await producer.connect();
    workers = kafka.consumer({ groupId: "large-run-workers", maxWaitTimeInMs: 200 });
    await workers.connect();
    await workers.subscribe({
      topics: WORK_TOPIC_NAMES,
      fromBeginning: true,
    });
    const { artifacts } = controllerStores(root);
    await workers.run({
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch, heartbeat }) => {
        const results: OutgoingMessage[] = [];
        for (const message of batch.messages) {
          const value = message.value ?? Buffer.alloc(0);
          if (batch.topic === TOPICS.promptWork.name || batch.topic === TOPICS.answerWork.name) {
            const { idempotencyKey } =
              batch.topic === TOPICS.promptWork.name
                ? decodeTopicMessage(TOPICS.promptWork, value)
                : decodeTopicMessage(TOPICS.answerWork, value);
            const keys = received.get(batch.topic) ?? new Set<string>();
            received.set(batch.topic, keys.add(idempotencyKey));
          }
          results.push(...(await respondTo({ topic: batch.topic, value }, artifacts)));
        }
        await sendInChunks(producer, results);
        await heartbeat();
      },
    });
  });

  after(async () => {
    client?.close();
    await shutdown?.shutdown("tests done");
    await workers?.disconnect();
    await workerProducer?.disconnect();
    await broker?.stop();
    await retrieval?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function slotLines(phase: string): Promise<number> {
    const text = await readFile(join(root, RUN, "controller/round-1", `${phase}.jsonl`), "utf8");
    return text.trim().split("\n").length;
  }

  test("goes through prompts, answers, filter, training and evaluation to done; no record batch over the budget", {
    skip,
  }, async (t) => {
    assert.ok(client);
    const api = client;
    const created = await api.createRun(
      {
        spec: {
          runId: RUN,
          domain: { name: "large", source: "" },
          mode: RunMode.ISARA,
          overrides: undefined,
        },
      },
      "req-large",
    );
    assert.equal(created.run?.lifecycle, RunLifecycle.RUNNING);
    let last = "";
    /** When each phase (round/phase) was first seen, for the diagnostic below. */
    const seen = new Map<string, number>();
    await waitFor(
      "the run of 20 000 prompts to be done",
      async () => {
        const run = (await api.getRun(RUN)).run;
        last = JSON.stringify({ lifecycle: run?.lifecycle, phase: run?.phase, progress: run?.progress });
        const at = `${run?.round}/${Phase[run?.phase ?? 0]}`;
        if (!seen.has(at)) seen.set(at, Date.now());
        return run?.lifecycle === RunLifecycle.DONE || run?.lifecycle === RunLifecycle.FAILED;
      },
      // A safety net for a hung run, not a timing assertion: the run takes about a minute on 2 cores.
      15 * 60_000,
      () => `${last}\n${recentLog()}`,
    );

    const times = [...seen.values()];
    t.diagnostic(
      `seconds per phase: ${[...seen.keys()]
        .slice(0, -1)
        .map((phase, i) => `${phase} ${(((times[i + 1] ?? 0) - (times[i] ?? 0)) / 1000).toFixed(0)}`)
        .join(", ")}`,
    );

    const status = (await api.getRun(RUN)).run;
    assert.equal(status?.lifecycle, RunLifecycle.DONE, `${JSON.stringify(status)}\n${recentLog()}`);
    assert.equal(received.get(TOPICS.promptWork.name)?.size, SLOTS, "every slot's PromptWork was published");
    assert.equal(received.get(TOPICS.answerWork.name)?.size, SLOTS, "every slot's AnswerWork was published");
    const round = status?.rounds[1];
    assert.equal(round?.promptsWritten, SLOTS);
    assert.equal(round?.answersWritten, SLOTS);
    assert.deepEqual(round?.filter, {
      written: SLOTS,
      accepted: SLOTS / 2,
      rejectedBy: { "min-words": SLOTS / 2 },
    });
    for (const phase of ["prompts", "answers", "filter"]) assert.equal(await slotLines(phase), SLOTS);

    const largest: Record<string, number> = {};
    for (const topic of WRITTEN) {
      const sizes = await recordBatchSizes(broker.dataDir, topic.name);
      assert.ok(sizes.length > 0, `the broker stored records of ${topic.name}`);
      largest[topic.name] = Math.max(...sizes);
    }
    t.diagnostic(`largest record batch per topic, in bytes: ${JSON.stringify(largest)}`);
    for (const [topic, bytes] of Object.entries(largest)) {
      assert.ok(bytes <= MAX_BATCH_BYTES, `a record batch of ${topic} is ${bytes} bytes`);
    }
  });
});
