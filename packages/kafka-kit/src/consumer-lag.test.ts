/**
 * The consumer lag gauge against a stand-in kafkajs admin client: the arithmetic of a partition's lag
 * (no commit yet, a commit below the low watermark), the series it exports, the cache that bounds how
 * often the broker is asked, a read that fails or hangs (series left out, logged once, the scrape not
 * held up), and a consumer loop that registers its group from start to close. On a real broker:
 * consumer-lag.kafka.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createMetrics } from "@isara/kit";
import { type LogLines, lineLogger } from "@isara/testkit";
import type { Admin, Kafka } from "kafkajs";
import { createConsumerLag, type LagSource, partitionLag, readGroupLag } from "./consumer-lag.js";
import { createConsumerLoop } from "./consumer-loop.js";
import { createStageMetrics } from "./stage-metrics.js";

const TOPIC = "isara.test.work";

/** Committed offsets and watermarks of one topic, by partition. */
interface TopicState {
  committed: Record<number, string>;
  watermarks: Record<number, { low: string; high: string }>;
}

/** A kafkajs client whose admin answers from `state`; counts connects, reads and disconnects. */
function standIn(state: Record<string, TopicState>, behaviour: { fail?: boolean; hang?: boolean } = {}) {
  const calls = { admins: 0, connects: 0, fetchOffsets: 0, fetchTopicOffsets: 0, disconnects: 0 };
  const answer = async <T>(value: () => T): Promise<T> => {
    if (behaviour.hang) return new Promise<T>(() => {});
    if (behaviour.fail) throw new Error("There is no leader for this topic-partition");
    return value();
  };
  const admin = {
    connect: async () => {
      calls.connects++;
    },
    disconnect: async () => {
      calls.disconnects++;
    },
    fetchOffsets: ({ topics }: { groupId: string; topics: string[] }) => {
      calls.fetchOffsets++;
      return answer(() =>
        topics.map((topic) => ({
          topic,
          partitions: Object.entries(state[topic]?.committed ?? {}).map(([p, offset]) => ({
            partition: Number(p),
            offset,
            metadata: null,
          })),
        })),
      );
    },
    fetchTopicOffsets: (topic: string) => {
      calls.fetchTopicOffsets++;
      return answer(() =>
        Object.entries(state[topic]?.watermarks ?? {}).map(([p, w]) => ({
          partition: Number(p),
          offset: w.high,
          high: w.high,
          low: w.low,
        })),
      );
    },
  };
  const kafka = {
    admin: () => {
      calls.admins++;
      return admin as unknown as Admin;
    },
  } as unknown as Kafka;
  return { kafka, calls, behaviour };
}

function lagLines(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("isara_kafka_consumer_lag{"))
    .sort();
}

function source(kafka: Kafka, lines: LogLines = []): LagSource {
  return { kafka, groupId: "filtering", topics: [TOPIC], logger: lineLogger("lag-test", lines, "debug") };
}

const STATE: Record<string, TopicState> = {
  [TOPIC]: {
    committed: { 0: "7", 1: "-1", 2: "2" },
    watermarks: { 0: { low: "0", high: "10" }, 1: { low: "3", high: "5" }, 2: { low: "4", high: "9" } },
  },
};

describe("partitionLag", () => {
  test("is the high watermark minus the committed offset", () => {
    assert.equal(partitionLag("7", "0", "10"), 3);
    assert.equal(partitionLag("10", "0", "10"), 0);
  });
  test("counts every retained message of a partition the group never committed on", () => {
    assert.equal(partitionLag("-1", "3", "5"), 2);
    assert.equal(partitionLag("-1", "0", "0"), 0);
  });
  test("counts from the low watermark when retention deleted what the group had not read", () => {
    assert.equal(partitionLag("2", "4", "9"), 5);
  });
  test("is never negative, and exact past 2^53 offsets", () => {
    assert.equal(partitionLag("12", "0", "10"), 0);
    assert.equal(partitionLag("9007199254740993", "0", "9007199254741000"), 7);
  });
});

describe("readGroupLag", () => {
  test("pairs each partition's commit with its watermarks, partitions in order", async () => {
    const { kafka } = standIn(STATE);
    const rows = await readGroupLag(kafka.admin(), "filtering", [TOPIC]);
    assert.deepEqual(rows, [
      { group: "filtering", topic: TOPIC, partition: 0, lag: 3 },
      { group: "filtering", topic: TOPIC, partition: 1, lag: 2 },
      { group: "filtering", topic: TOPIC, partition: 2, lag: 5 },
    ]);
  });
});

describe("the kafka_consumer_lag gauge", () => {
  test("exports one series per partition of each watched group, labelled with group, topic and partition", async () => {
    const metrics = createMetrics({ prefix: "isara_", defaultLabels: { service: "filtering" } });
    const lag = createConsumerLag(metrics);
    const { kafka } = standIn(STATE);
    lag.watch(source(kafka));
    assert.deepEqual(lagLines(await metrics.render()), [
      `isara_kafka_consumer_lag{group="filtering",topic="${TOPIC}",partition="0",service="filtering"} 3`,
      `isara_kafka_consumer_lag{group="filtering",topic="${TOPIC}",partition="1",service="filtering"} 2`,
      `isara_kafka_consumer_lag{group="filtering",topic="${TOPIC}",partition="2",service="filtering"} 5`,
    ]);
  });

  test("asks the broker at most once per cacheMs, however many scrapes, and one read at a time", async () => {
    let clock = 1000;
    const metrics = createMetrics({ prefix: "isara_" });
    const lag = createConsumerLag(metrics, { cacheMs: 10_000, now: () => clock });
    const state = structuredClone(STATE);
    const { kafka, calls } = standIn(state);
    lag.watch(source(kafka));
    await Promise.all([metrics.render(), metrics.render(), lag.read()]);
    assert.equal(calls.fetchOffsets, 1, "concurrent scrapes share one read");
    assert.equal(calls.connects, 1);
    state[TOPIC] = { ...(state[TOPIC] as TopicState), committed: { 0: "10", 1: "5", 2: "9" } };
    clock += 9_999;
    assert.equal(
      (await lag.read()).reduce((sum, r) => sum + r.lag, 0),
      10,
      "served from the cache",
    );
    assert.equal(calls.fetchOffsets, 1);
    clock += 1;
    assert.equal(
      (await lag.read()).reduce((sum, r) => sum + r.lag, 0),
      0,
      "read again once stale",
    );
    assert.equal(calls.fetchOffsets, 2);
    assert.equal(calls.connects, 1, "the admin client stays connected between reads");
    assert.equal(calls.admins, 1);
  });

  test("a read that fails leaves the group's series out, logs once, and comes back with the broker", async () => {
    let clock = 0;
    const metrics = createMetrics({ prefix: "isara_" });
    const lag = createConsumerLag(metrics, { cacheMs: 1, now: () => clock });
    const lines: LogLines = [];
    const broker = standIn(STATE);
    lag.watch(source(broker.kafka, lines));
    assert.equal(lagLines(await metrics.render()).length, 3);
    broker.behaviour.fail = true;
    clock += 1;
    assert.deepEqual(lagLines(await metrics.render()), [], "no stale number while the broker is away");
    clock += 1;
    await metrics.render();
    const warned = lines.filter((l) => String(l.msg).startsWith("cannot read the consumer lag"));
    assert.equal(warned.length, 1, "logged once per outage");
    assert.equal(warned[0]?.groupId, "filtering");
    broker.behaviour.fail = false;
    clock += 1;
    assert.equal(lagLines(await metrics.render()).length, 3);
    assert.ok(lines.some((l) => l.msg === "consumer lag readable again"));
  });

  test("a read that hangs does not hold the scrape up past timeoutMs", async () => {
    const metrics = createMetrics({ prefix: "isara_" });
    const lag = createConsumerLag(metrics, { timeoutMs: 50 });
    const lines: LogLines = [];
    const { kafka } = standIn(STATE, { hang: true });
    lag.watch(source(kafka, lines));
    const started = Date.now();
    assert.deepEqual(lagLines(await metrics.render()), []);
    assert.ok(Date.now() - started < 5000, "the scrape answered");
    assert.match(JSON.stringify(lines), /took longer than 50 ms/);
  });

  test("unwatching drops the group's series and disconnects its admin client, once", async () => {
    const metrics = createMetrics({ prefix: "isara_" });
    const lag = createConsumerLag(metrics, { cacheMs: 0 });
    const filtering = standIn(STATE);
    const other = standIn({
      "isara.other.work": { committed: {}, watermarks: { 0: { low: "0", high: "4" } } },
    });
    const stop = lag.watch(source(filtering.kafka));
    lag.watch({ ...source(other.kafka), groupId: "other", topics: ["isara.other.work"] });
    assert.equal(lagLines(await metrics.render()).length, 4);
    await Promise.all([stop(), stop()]);
    assert.equal(filtering.calls.disconnects, 1);
    assert.deepEqual(lagLines(await metrics.render()), [
      'isara_kafka_consumer_lag{group="other",topic="isara.other.work",partition="0"} 4',
    ]);
  });

  test("nothing talks to the broker before a scrape", () => {
    const metrics = createMetrics({ prefix: "isara_" });
    const { kafka, calls } = standIn(STATE);
    createConsumerLag(metrics).watch(source(kafka));
    assert.equal(calls.admins, 0);
  });
});

describe("a consumer loop with stage metrics", () => {
  test("reports its group's lag on its topics from start to close", async () => {
    const metrics = createMetrics({ prefix: "isara_" });
    const broker = standIn(STATE);
    const consumer = {
      events: {},
      on: () => {},
      connect: async () => {},
      subscribe: async () => {},
      run: async () => {},
      pause: () => {},
      disconnect: async () => {},
    };
    const kafka = Object.assign(Object.create(broker.kafka) as Kafka, { consumer: () => consumer });
    const stageMetrics = createStageMetrics(metrics);
    const loop = createConsumerLoop({
      kafka,
      groupId: "filtering",
      processors: new Map([[TOPIC, async () => "done" as const]]),
      handling: { mode: "single", partitions: 1 },
      logger: lineLogger("lag-test", []),
      component: "test-consumer",
      metrics: stageMetrics,
    });
    assert.deepEqual(lagLines(await metrics.render()), [], "not before start");
    await loop.start();
    assert.equal(lagLines(await metrics.render()).length, 3);
    await loop.close();
    assert.equal(broker.calls.disconnects, 1);
    assert.deepEqual(lagLines(await metrics.render()), [], "not after close");
  });
});
