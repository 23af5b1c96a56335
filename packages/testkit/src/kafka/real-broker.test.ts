import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { isIsaraError } from "@isara/core";
import { type Admin, type Consumer, Kafka, logLevel, Partitioners, type Producer } from "kafkajs";
import { kafkaSkipReason } from "./kafka-skip-reason.js";
import { isBrokerProcess } from "./leftover-brokers.js";
import { type KafkaBroker, startKafka } from "./start-kafka.js";

const TOPIC = "isara.samples";
const GROUP = "isara-filtering";
// Keys that Kafka's default (murmur2) partitioner spreads over all three partitions.
const KEYS = ["run-1", "run-2", "run-3", "run-4", "run-5", "run-6"];
const PER_KEY = 4;

interface Received {
  readonly key: string;
  readonly seq: number;
  readonly partition: number;
}

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

/** Messages `<key>:<seq>` for seq in [from, from + PER_KEY), interleaved across keys. */
function batch(from: number): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (let seq = from; seq < from + PER_KEY; seq++)
    for (const key of KEYS) out.push({ key, value: `${key}:${seq}` });
  return out;
}

/** Processes running on `dataDir`, from /proc: what "no java process left behind" means. */
function processesOn(dataDir: string): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(dataDir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

// Each test carries the reason, so a machine without Java or the jars counts them as skipped.
const skip = kafkaSkipReason();

describe("a real Kafka broker started by startKafka", () => {
  let broker: KafkaBroker;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer;
  const received: Received[] = [];
  const distinct = () => new Set(received.map((r) => `${r.key}:${r.seq}`)).size;

  before(async () => {
    if (skip !== false) return;
    broker = await startKafka();
    kafka = new Kafka({ clientId: "kafka-testkit", brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
  });

  after(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await admin?.disconnect();
    await broker?.stop();
  });

  test("creates a topic with exactly the partitions asked for, and never one by accident", {
    skip,
  }, async () => {
    assert.match(broker.bootstrap, /^127\.0\.0\.1:\d+$/);
    assert.equal(
      await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }], waitForLeaders: true }),
      true,
    );
    const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    assert.equal(topics[0]?.partitions.length, 3);

    const impatient = new Kafka({
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const typo = impatient.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await typo.connect();
    await assert.rejects(typo.send({ topic: "isara.sampels", messages: [{ value: "lost" }] }), {
      message: /does not host this topic-partition/,
    });
    await typo.disconnect();
    assert.deepEqual(await admin.listTopics(), [TOPIC]);
  });

  test("keyed messages reach a consumer group, each key in one partition and in order", {
    skip,
  }, async () => {
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: batch(0) });

    // A short fetch long-poll so that disconnecting does not wait out the default 5 s.
    consumer = kafka.consumer({
      groupId: GROUP,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 500,
    });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const [key, seq] = String(message.value).split(":");
        received.push({ key: String(key), seq: Number(seq), partition });
      },
    });
    await waitFor("the first batch to be consumed", () => distinct() === KEYS.length * PER_KEY);

    const partitionsOf = (key: string) =>
      new Set(received.filter((r) => r.key === key).map((r) => r.partition));
    for (const key of KEYS) {
      assert.equal(partitionsOf(key).size, 1, `${key} went to more than one partition`);
      const seqs = received.filter((r) => r.key === key).map((r) => r.seq);
      assert.deepEqual(seqs, [0, 1, 2, 3], `${key} arrived out of order`);
    }
    const used = new Set(KEYS.flatMap((key) => [...partitionsOf(key)]));
    assert.equal(used.size, 3, "the keys did not spread over the topic's three partitions");
  });

  test("the same producer and consumer group carry on after a broker restart", { skip }, async () => {
    const before = { pid: broker.pid, bootstrap: broker.bootstrap };
    await broker.restart();
    assert.notEqual(broker.pid, before.pid);
    assert.equal(broker.bootstrap, before.bootstrap);
    assert.equal(isBrokerProcess(before.pid, broker.dataDir), false);

    await producer.send({ topic: TOPIC, messages: batch(PER_KEY) });
    await waitFor("the second batch to be consumed", () => distinct() === KEYS.length * PER_KEY * 2);

    for (const key of KEYS) {
      const firstSeen = [...new Set(received.filter((r) => r.key === key).map((r) => r.seq))];
      assert.deepEqual(firstSeen, [0, 1, 2, 3, 4, 5, 6, 7], `${key} lost or reordered messages`);
    }
    const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    assert.equal(topics[0]?.partitions.length, 3, "the topic did not survive the restart");
    await waitFor("the group to commit every offset", async () => {
      const ends = await admin.fetchTopicOffsets(TOPIC);
      const [committed] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
      return ends.every(
        (end) => committed?.partitions.find((p) => p.partition === end.partition)?.offset === end.high,
      );
    });
  });

  test("stop ends the JVM and leaves no java process or temp folder behind", { skip }, async () => {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
    const { pid, dataDir } = broker;
    assert.equal(isBrokerProcess(pid, dataDir), true);
    await broker.stop();
    assert.equal(isBrokerProcess(pid, dataDir), false);
    assert.deepEqual(processesOn(dataDir), []);
    assert.equal(existsSync(dataDir), false);
    await broker.stop();
    await assert.rejects(broker.restart(), (err) => isIsaraError(err, "failed_precondition"));
  });
});
