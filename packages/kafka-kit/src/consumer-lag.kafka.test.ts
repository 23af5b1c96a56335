/**
 * The consumer lag gauge against a real Kafka broker (started by @isara/testkit/kafka): a group's
 * committed offsets against the partitions' high watermarks, and a consumer loop whose lag shows what
 * it holds uncommitted, then falls to zero as it commits.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createMetrics, createRootLogger } from "@isara/kit";
import { type KafkaBroker, kafkaSkipReason, startKafka } from "@isara/testkit/kafka";
import { type Admin, Kafka, logLevel, Partitioners, type Producer } from "kafkajs";
import { createConsumerLag, type PartitionLag } from "./consumer-lag.js";
import { createConsumerLoop } from "./consumer-loop.js";
import { createStageMetrics } from "./stage-metrics.js";

const skip = kafkaSkipReason();
const logger = createRootLogger({ level: "silent", name: "kafka-kit-test" });

/** Polls `done` until it holds; the deadline is a safety net for a hung client, not a timing assertion. */
async function waitFor(
  what: string,
  done: () => boolean | Promise<boolean>,
  deadlineMs = 45_000,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await done())) {
    if (Date.now() > until) assert.fail(`gave up after ${deadlineMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

const total = (rows: readonly PartitionLag[]) => rows.reduce((sum, r) => sum + r.lag, 0);

describe("consumer lag on a real broker", () => {
  let broker: KafkaBroker;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;

  before(async () => {
    if (skip !== false) return;
    broker = await startKafka();
    kafka = new Kafka({
      clientId: "kafka-kit-lag-test",
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    });
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });
  after(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await broker?.stop();
  });

  async function topicWith(topic: string, perPartition: readonly number[]): Promise<void> {
    await admin.createTopics({
      topics: [{ topic, numPartitions: perPartition.length }],
      waitForLeaders: true,
    });
    for (const [partition, count] of perPartition.entries()) {
      const messages = Array.from({ length: count }, (_, i) => ({ partition, value: `m${i}` }));
      if (messages.length > 0) await producer.send({ topic, messages });
    }
  }

  test("is each partition's high watermark minus the group's committed offset (everything when none)", {
    skip,
  }, async () => {
    const topic = "isara.lag.committed";
    await topicWith(topic, [5, 3]);
    await admin.setOffsets({ groupId: "lag-reader", topic, partitions: [{ partition: 0, offset: "2" }] });
    const metrics = createMetrics({ prefix: "isara_" });
    const lag = createConsumerLag(metrics, { cacheMs: 0 });
    const stop = lag.watch({ kafka, groupId: "lag-reader", topics: [topic], logger });
    try {
      assert.deepEqual(await lag.read(), [
        { group: "lag-reader", topic, partition: 0, lag: 3 },
        { group: "lag-reader", topic, partition: 1, lag: 3 },
      ]);
      assert.match(
        await metrics.render(),
        /isara_kafka_consumer_lag\{group="lag-reader",topic="isara\.lag\.committed",partition="0"\} 3/,
      );
    } finally {
      await stop();
    }
  });

  test("a consumer loop's lag counts what it holds uncommitted and falls to zero as it commits", {
    skip,
  }, async () => {
    const topic = "isara.lag.loop";
    await topicWith(topic, [4, 2]);
    const metrics = createMetrics({ prefix: "isara_", defaultLabels: { service: "kit-lag" } });
    const stageMetrics = createStageMetrics(metrics, { cacheMs: 0 });
    const lag = stageMetrics.consumerLag;
    assert.ok(lag);
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const loop = createConsumerLoop({
      kafka,
      groupId: "kit-lag",
      processors: new Map([
        [
          topic,
          async () => {
            await gate;
            return "done" as const;
          },
        ],
      ]),
      handling: { mode: "single", partitions: 2 },
      logger,
      component: "test-consumer",
      metrics: stageMetrics,
      heartbeatIntervalMs: 500,
      maxWaitTimeMs: 200,
    });
    try {
      await loop.start();
      await waitFor("the loop to join", () => loop.state === "joined");
      const held = await lag.read();
      assert.deepEqual(
        held.map((r) => [r.group, r.topic, r.partition, r.lag]),
        [
          ["kit-lag", topic, 0, 4],
          ["kit-lag", topic, 1, 2],
        ],
        "nothing committed while the messages are held",
      );
      open();
      await waitFor("the lag to fall to zero", async () => total(await lag.read()) === 0);
      assert.match(
        await metrics.render(),
        /isara_kafka_consumer_lag\{group="kit-lag",topic="isara\.lag\.loop",partition="1",service="kit-lag"\} 0/,
      );
    } finally {
      open();
      await loop.close();
    }
    assert.doesNotMatch(await metrics.render(), /isara_kafka_consumer_lag\{/, "no series after close");
  });
});
