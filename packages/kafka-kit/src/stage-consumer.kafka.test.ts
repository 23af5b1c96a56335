/**
 * The stage consumer and ensureTopics against a real Kafka broker (started by @isara/testkit/kafka):
 * topics as the catalogue says, results published and offsets committed after the work, transient
 * failures retried without losing the message, and a message interrupted by shutdown delivered again
 * to the group's next member.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { decodeTopicMessage, type EvalDone, type EvalWork, roundWorkKey, TOPICS } from "@isara/contracts";
import { IsaraError, isIsaraError } from "@isara/core";
import { createRootLogger } from "@isara/kit";
import { type KafkaBroker, kafkaSkipReason, startKafka } from "@isara/testkit/kafka";
import { type Admin, type Consumer, Kafka, logLevel, Partitioners, type Producer } from "kafkajs";
import { ensureTopics } from "./ensure-topics.js";
import type { StageHandler } from "./message-processor.js";
import { outgoingMessage } from "./outgoing-message.js";
import { createCatalogueProducer } from "./producer.js";
import { createStageConsumer, type StageConsumer } from "./stage-consumer.js";

const skip = kafkaSkipReason();
const logger = createRootLogger({ level: "silent", name: "kafka-kit-test" });
const GROUP = "kit-stage";
const EVAL_TOPICS = [TOPICS.evalWork, TOPICS.evalDone, TOPICS.evalDeadLetter];

/** Polls `done` until it holds; the deadline is a safety net for a hung client, not a timing assertion. */
async function waitFor(
  what: string,
  done: () => boolean | Promise<boolean>,
  deadlineMs = 45_000,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await done())) {
    if (Date.now() > until) assert.fail(`gave up after ${deadlineMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

function work(run: string): EvalWork {
  return {
    context: { run, domain: "truth", round: 1, correlationId: `req-${run}` },
    idempotencyKey: roundWorkKey(run, 1, "evaluate"),
    model: { baseModel: "tiny" },
    evaluation: { kind: { $case: "zeroShot", value: {} } },
    resultsKey: `${run}/round-1/eval.jsonl`,
  };
}

const doneFor = (w: EvalWork): EvalDone => ({
  context: w.context,
  idempotencyKey: w.idempotencyKey,
  outcome: undefined,
});

describe("a stage on a real broker", () => {
  let broker: KafkaBroker;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let observer: Consumer;
  const results: EvalDone[] = [];
  const started = new Set<string>();
  const stages: StageConsumer[] = [];

  before(async () => {
    if (skip !== false) return;
    broker = await startKafka();
    kafka = new Kafka({
      clientId: "kafka-kit-test",
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    });
    admin = kafka.admin();
    await admin.connect();
  });
  after(async () => {
    for (const stage of stages) await stage.close();
    await observer?.disconnect();
    await producer?.disconnect();
    await admin?.disconnect();
    await broker?.stop();
  });

  async function send(w: EvalWork): Promise<void> {
    await producer.send({ topic: TOPICS.evalWork.name, messages: [outgoingMessage(TOPICS.evalWork, w)] });
  }

  function stage(handle: StageHandler<EvalWork>, drainTimeoutMs = 10_000): StageConsumer {
    const s = createStageConsumer({
      kafka,
      producer,
      groupId: GROUP,
      topic: TOPICS.evalWork,
      handle,
      logger,
      retry: { attempts: 4, initialDelayMs: 10, maxDelayMs: 20 },
      drainTimeoutMs,
      heartbeatIntervalMs: 500,
      maxWaitTimeMs: 200,
    });
    stages.push(s);
    return s;
  }

  async function committed(): Promise<number> {
    const [offsets] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPICS.evalWork.name] });
    return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  }

  test("ensureTopics creates the catalogue's topics once, with their partitions and retention", {
    skip,
  }, async () => {
    const first = await ensureTopics(admin, EVAL_TOPICS);
    assert.deepEqual([...first.created].sort(), ["isara.eval.dlq", "isara.eval.done", "isara.eval.work"]);
    const again = await ensureTopics(admin, EVAL_TOPICS);
    assert.deepEqual(again.created, []);
    assert.equal(again.existing.length, 3);
    const { topics } = await admin.fetchTopicMetadata({ topics: ["isara.eval.work", "isara.eval.dlq"] });
    assert.deepEqual(topics.map((t) => [t.name, t.partitions.length]).sort(), [
      ["isara.eval.dlq", 3],
      ["isara.eval.work", 12],
    ]);
    const described = await admin.describeConfigs({
      resources: [{ type: 2, name: "isara.eval.dlq", configNames: ["retention.ms"] }],
      includeSynonyms: false,
    });
    assert.equal(described.resources[0]?.configEntries[0]?.configValue, String(30 * 24 * 3600 * 1000));
  });

  test("a topic made by hand with fewer partitions than the catalogue is refused with the fix", {
    skip,
  }, async () => {
    await admin.createTopics({
      topics: [{ topic: TOPICS.trainWork.name, numPartitions: 1 }],
      waitForLeaders: false,
    });
    await assert.rejects(ensureTopics(admin, [TOPICS.trainWork]), (err: unknown) => {
      return (
        isIsaraError(err, "failed_precondition") &&
        err.message.includes("isara.train.work has 1 partition, the catalogue says 12") &&
        err.message.includes("--partitions 12")
      );
    });
  });

  test("results are published and offsets committed after the work; a transient failure is retried", {
    skip,
  }, async () => {
    producer = createCatalogueProducer(kafka);
    await producer.connect();
    observer = kafka.consumer({ groupId: "kit-observer", maxWaitTimeInMs: 200 });
    await observer.connect();
    await observer.subscribe({ topic: TOPICS.evalDone.name, fromBeginning: true });
    await observer.run({
      eachMessage: async ({ message }) => {
        results.push(decodeTopicMessage(TOPICS.evalDone, message.value));
      },
    });

    const tries = new Map<string, number>();
    const first = stage(async (w, job) => {
      const run = w.context?.run ?? "";
      tries.set(run, job.attempt);
      started.add(run);
      if (run === "run-flaky" && job.attempt === 1) throw new IsaraError("unavailable", "LLM down");
      if (run === "run-slow") {
        await new Promise((_, reject) =>
          job.signal.addEventListener("abort", () => reject(job.signal.reason)),
        );
      }
      return [outgoingMessage(TOPICS.evalDone, doneFor(w))];
    }, 200);
    await first.start();
    // The first join to a fresh broker can crash on a busy machine (group coordinator still loading)
    // and is restarted; start() has resolved by then, so the state is polled.
    await waitFor("the first member to join", () => first.state === "joined");
    assert.match(first.readiness(), /joined kit-stage with 12 partition/);

    await send(work("run-ok"));
    await send(work("run-flaky"));
    await waitFor("two results", () => results.length === 2);
    assert.deepEqual(results.map((r) => r.context?.run).sort(), ["run-flaky", "run-ok"]);
    assert.equal(tries.get("run-flaky"), 2, "the flaky work was tried twice");
    await waitFor("both offsets committed", async () => (await committed()) === 2);
  });

  test("a message interrupted by shutdown stays uncommitted and goes to the next member", {
    skip,
  }, async () => {
    const [first] = stages;
    assert.ok(first);
    await send(work("run-slow"));
    await waitFor("the slow work to start", () => started.has("run-slow"));
    await first.close();
    assert.equal(first.state, "stopped");
    assert.equal(await committed(), 2, "the interrupted message was not committed");

    const second = stage(async (w) => [outgoingMessage(TOPICS.evalDone, doneFor(w))]);
    await second.start();
    await waitFor("the slow work's result from the next member", () =>
      results.some((r) => r.context?.run === "run-slow"),
    );
    await waitFor("its offset committed", async () => (await committed()) === 3);
    assert.equal(results.filter((r) => r.context?.run === "run-slow").length, 1);
  });

  test("with partitions 2 (STAGE_CONCURRENCY), a long message of one run does not hold up another run", {
    skip,
  }, async () => {
    for (const s of stages.splice(0)) await s.close();
    // Two runs whose keys land on different partitions (the catalogue producer's partitioner).
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 12 }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    const partitionOf = (run: string) =>
      partitioner({ topic: TOPICS.evalWork.name, partitionMetadata, message: { key: run, value: null } });
    const long = "conc-long";
    const short =
      Array.from({ length: 50 }, (_, i) => `conc-short-${i}`).find(
        (r) => partitionOf(r) !== partitionOf(long),
      ) ?? assert.fail("no run id on another partition");
    let shortDone = () => {};
    const shortFinished = new Promise<void>((resolve) => (shortDone = resolve));
    const order: string[] = [];
    const concurrent = createStageConsumer({
      kafka,
      producer,
      groupId: "kit-stage-concurrent",
      topic: TOPICS.evalWork,
      partitions: 2,
      handle: async (w) => {
        const run = w.context?.run ?? "";
        if (run === long) {
          // The long evaluation finishes only once the other run's work was handled meanwhile: with one
          // partition at a time this never happens and the wait below gives up.
          await shortFinished;
        }
        if (run === short) shortDone();
        if (run === long || run === short) order.push(run);
        return [];
      },
      logger,
      retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
      drainTimeoutMs: 1000,
      heartbeatIntervalMs: 500,
      maxWaitTimeMs: 200,
    });
    stages.push(concurrent);
    await concurrent.start();
    await waitFor("the concurrent member to join", () => concurrent.state === "joined");
    await send(work(long));
    await send(work(short));
    await waitFor("both runs' work handled", () => order.length === 2);
    assert.deepEqual(order, [short, long], "the short run finished while the long one was running");
  });
});
