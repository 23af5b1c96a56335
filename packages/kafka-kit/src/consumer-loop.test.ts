/**
 * The consumer loop against a stand-in for kafkajs (its consumer's calls and events), so that what a
 * broker makes hard to time is checked exactly: what is committed when, how much runs at once, what
 * close drains and aborts, the state after a join, a crash or a failed start. The loop on a real
 * broker is tested through the stage consumer here and through the generation and controller apps.
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { isIsaraError } from "@isara/core";
import { createRootLogger, type Gauge } from "@isara/kit";
import { lineLogger } from "@isara/testkit";
import type { ConsumerConfig, ConsumerRunConfig, EachBatchPayload, EachMessagePayload, Kafka } from "kafkajs";
import {
  type ConsumerHandling,
  type ConsumerLoopOptions,
  createConsumerLoop,
  lastFinished,
  type ProcessMessage,
} from "./consumer-loop.js";
import type { MessageOutcome, StageMetrics } from "./stage-metrics.js";

const TOPIC = "isara.test.work";
const EVENTS = {
  GROUP_JOIN: "consumer.group_join",
  REBALANCING: "consumer.rebalancing",
  CRASH: "consumer.crash",
  STOP: "consumer.stop",
} as const;

/** A kafkajs client whose one consumer records its calls; the test emits the group's events. */
function standIn(options: { readonly connectFails?: boolean } = {}) {
  const emitter = new EventEmitter();
  const seen = {
    config: undefined as ConsumerConfig | undefined,
    subscription: undefined as unknown,
    run: undefined as ConsumerRunConfig | undefined,
    commits: [] as { topic: string; partition: number; offset: string }[],
    paused: [] as string[][],
    disconnects: 0,
  };
  const consumer = {
    events: EVENTS,
    on: (event: string, listener: (e: unknown) => void) => emitter.on(event, listener),
    connect: async () => {
      if (options.connectFails) throw new Error("the broker is away");
    },
    subscribe: async (subscription: unknown) => {
      seen.subscription = subscription;
    },
    run: async (config: ConsumerRunConfig) => {
      seen.run = config;
    },
    commitOffsets: async (offsets: { topic: string; partition: number; offset: string }[]) => {
      seen.commits.push(...offsets);
    },
    pause: (topics: { topic: string }[]) => {
      seen.paused.push(topics.map((t) => t.topic));
    },
    disconnect: async () => {
      seen.disconnects++;
      emitter.emit(EVENTS.STOP, {});
    },
  };
  const kafka = {
    consumer: (config: ConsumerConfig) => {
      seen.config = config;
      return consumer;
    },
  } as unknown as Kafka;
  return {
    kafka,
    seen,
    join: (memberAssignment: Record<string, number[]>) =>
      emitter.emit(EVENTS.GROUP_JOIN, { payload: { memberAssignment } }),
    rebalance: () => emitter.emit(EVENTS.REBALANCING, { payload: {} }),
    crash: (restart: boolean) => emitter.emit(EVENTS.CRASH, { payload: { error: new Error("x"), restart } }),
  };
}

/** A processor whose messages finish when the test says (or `interrupted` when aborted). */
function controlled() {
  const started: { offset: string; partition: number; finish: (o: MessageOutcome) => void }[] = [];
  const process: ProcessMessage = (message, signal) =>
    new Promise((resolve) => {
      started.push({ offset: message.offset, partition: message.partition, finish: resolve });
      signal.addEventListener("abort", () => resolve("interrupted"));
    });
  const finish = (offset: string, outcome: MessageOutcome) => {
    const entry = started.find((s) => s.offset === offset);
    assert.ok(entry, `message ${offset} started`);
    entry.finish(outcome);
  };
  return { process, started, finish };
}

function countingMetrics() {
  const counted: Record<string, string>[] = [];
  const metrics = { messages: { inc: (labels: Record<string, string>) => counted.push(labels) } };
  return { counted, metrics: metrics as unknown as StageMetrics };
}

function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const logger = lineLogger("consumer-loop-test", lines, "debug");
  return { lines, logger };
}

function loopOf(
  kafka: Kafka,
  process: ProcessMessage,
  handling: ConsumerHandling,
  extra: Partial<ConsumerLoopOptions> = {},
) {
  return createConsumerLoop({
    kafka,
    groupId: "g",
    processors: new Map([[TOPIC, process]]),
    handling,
    logger: createRootLogger({ level: "silent", name: "consumer-loop-test" }),
    component: "test-consumer",
    ...extra,
  });
}

function messagePayload(partition: number, offset: string, heartbeat = async () => {}): EachMessagePayload {
  const message = { offset, key: null, value: Buffer.from("x"), headers: {}, timestamp: "0", attributes: 0 };
  return { topic: TOPIC, partition, message, heartbeat, pause: () => () => {} } as EachMessagePayload;
}

function batchPayload(
  partition: number,
  offsets: readonly string[],
  resolved: string[],
  live: () => boolean = () => true,
): EachBatchPayload {
  const messages = offsets.map((offset) => ({ offset, key: null, value: Buffer.from("x"), headers: {} }));
  return {
    batch: { topic: TOPIC, partition, messages },
    heartbeat: async () => {},
    isRunning: live,
    isStale: () => false,
    resolveOffset: (offset: string) => void resolved.push(offset),
  } as unknown as EachBatchPayload;
}

/** Lets pending promise callbacks and immediate timers run. */
const settle = () => sleep(5);

describe("the consumer loop, handling each message on its own", () => {
  test("subscribes from the beginning with autocommit off, and commits each message after its effects only", async () => {
    const { kafka, seen, join } = standIn();
    const work = controlled();
    const { counted, metrics } = countingMetrics();
    const loop = loopOf(kafka, work.process, { mode: "single", partitions: 1 }, { metrics });
    assert.equal(loop.state, "idle");
    await loop.start();
    assert.deepEqual(seen.config, {
      groupId: "g",
      allowAutoTopicCreation: false,
      heartbeatInterval: 3000,
      sessionTimeout: 30_000,
      maxWaitTimeInMs: 5000,
    });
    assert.deepEqual(seen.subscription, { topics: [TOPIC], fromBeginning: true });
    assert.equal(seen.run?.autoCommit, false);
    assert.equal(seen.run?.partitionsConsumedConcurrently, 1);
    assert.equal(seen.run?.eachBatch, undefined);
    assert.equal(loop.state, "joining");
    assert.throws(() => loop.readiness(), /consumer group g is joining/);

    join({ [TOPIC]: [3, 1, 2] });
    assert.equal(loop.state, "joined");
    assert.deepEqual(loop.assignment, { [TOPIC]: [1, 2, 3] });
    assert.equal(loop.readiness(), `joined g on ${TOPIC}`);

    const each = seen.run?.eachMessage;
    assert.ok(each);
    const outcomes: [string, MessageOutcome][] = [
      ["5", "done"],
      ["6", "dead_lettered"],
      ["7", "interrupted"],
    ];
    for (const [index, [offset, outcome]] of outcomes.entries()) {
      const handled = each(messagePayload(1, offset));
      await settle();
      assert.equal(seen.commits.length, index, "nothing committed while it runs");
      work.finish(offset, outcome);
      await handled;
    }
    assert.deepEqual(seen.commits, [
      { topic: TOPIC, partition: 1, offset: "6" },
      { topic: TOPIC, partition: 1, offset: "7" },
    ]);
    assert.deepEqual(
      counted.map((c) => c.outcome),
      ["done", "dead_lettered", "interrupted"],
    );
    await loop.close();
  });

  test("close drains the work in flight, aborts what outlives the drain time, and leaves it uncommitted", async () => {
    const { kafka, seen } = standIn();
    const work = controlled();
    const loop = loopOf(
      kafka,
      work.process,
      { mode: "single", partitions: 2, heartbeatWhileRunning: false },
      { drainTimeoutMs: 50 },
    );
    await loop.start();
    assert.equal(seen.run?.partitionsConsumedConcurrently, 2);
    const each = seen.run?.eachMessage;
    assert.ok(each);
    const quick = each(messagePayload(0, "10"));
    const slow = each(messagePayload(1, "20"));
    await settle();
    assert.equal(work.started.length, 2, "two partitions at once");

    const closed = loop.close();
    assert.equal(loop.close(), closed, "close is idempotent");
    assert.deepEqual(seen.paused, [[TOPIC]], "intake stops first");
    work.finish("10", "done");
    await Promise.all([closed, quick, slow]);
    assert.deepEqual(seen.commits, [{ topic: TOPIC, partition: 0, offset: "11" }]);
    assert.equal(loop.state, "stopped");
    assert.equal(seen.disconnects, 1);

    await each(messagePayload(0, "11"));
    assert.equal(work.started.length, 2, "nothing is taken after close");
  });

  test("heartbeats while a message runs, unless turned off", async () => {
    for (const heartbeatWhileRunning of [true, false]) {
      const { kafka, seen } = standIn();
      const work = controlled();
      const loop = loopOf(
        kafka,
        work.process,
        { mode: "single", partitions: 1, heartbeatWhileRunning },
        { heartbeatIntervalMs: 5 },
      );
      await loop.start();
      let beats = 0;
      const handled = seen.run?.eachMessage?.(
        messagePayload(0, "1", async () => {
          beats++;
        }),
      );
      await sleep(40);
      work.finish("1", "done");
      await handled;
      const after = beats;
      await sleep(20);
      assert.equal(beats, after, "no heartbeat after the message");
      if (heartbeatWhileRunning) assert.ok(beats > 0, "heartbeats were sent");
      else assert.equal(beats, 0);
      await loop.close();
    }
  });
});

describe("the consumer loop, handling fetched batches", () => {
  test("works on batches concurrently up to a limit shared by all partitions, committing up to the first unfinished message", async () => {
    const { kafka, seen } = standIn();
    const work = controlled();
    const { counted, metrics } = countingMetrics();
    let inFlight = 0;
    let most = 0;
    const gauge = {
      inc: () => {
        inFlight++;
        most = Math.max(most, inFlight);
      },
      dec: () => void inFlight--,
    } as unknown as Gauge<never>;
    const loop = loopOf(kafka, work.process, { mode: "batch", concurrency: 2 }, { metrics, inFlight: gauge });
    await loop.start();
    assert.equal(seen.run?.autoCommit, false);
    assert.equal(seen.run?.eachBatchAutoResolve, false);
    assert.equal(seen.run?.partitionsConsumedConcurrently, 2);
    assert.equal(seen.run?.eachMessage, undefined);
    const eachBatch = seen.run?.eachBatch;
    assert.ok(eachBatch);

    const resolved: string[] = [];
    const first = eachBatch(batchPayload(0, ["10", "11", "12"], resolved));
    await settle();
    const second = eachBatch(batchPayload(1, ["20"], resolved));
    await settle();
    assert.deepEqual(
      work.started.map((s) => s.offset),
      ["10", "11"],
    );
    work.finish("10", "done");
    await settle();
    work.finish("12", "done");
    await settle();
    assert.deepEqual(
      work.started.map((s) => s.offset),
      ["10", "11", "12", "20"],
      "waiters are served in arrival order, whatever their partition",
    );
    work.finish("11", "interrupted");
    work.finish("20", "dead_lettered");
    await Promise.all([first, second]);

    assert.equal(most, 2, "never more than the limit at once");
    assert.equal(inFlight, 0);
    assert.deepEqual(resolved.sort(), ["10", "20"]);
    assert.deepEqual(
      seen.commits.sort((a, b) => a.partition - b.partition),
      [
        { topic: TOPIC, partition: 0, offset: "11" },
        { topic: TOPIC, partition: 1, offset: "21" },
      ],
      "12 waits behind the interrupted 11",
    );
    assert.equal(counted.length, 4);
    await loop.close();
  });

  test("takes nothing more from a batch once kafkajs stops running it", async () => {
    const { kafka, seen } = standIn();
    const work = controlled();
    const loop = loopOf(kafka, work.process, { mode: "batch", concurrency: 1 });
    await loop.start();
    let running = true;
    const resolved: string[] = [];
    const batch = seen.run?.eachBatch?.(batchPayload(0, ["1", "2"], resolved, () => running));
    await settle();
    running = false;
    work.finish("1", "done");
    await batch;
    assert.deepEqual(
      work.started.map((s) => s.offset),
      ["1"],
      "2 got its slot after kafkajs stopped the batch, and gave it back",
    );
    assert.deepEqual(
      seen.commits,
      [{ topic: TOPIC, partition: 0, offset: "2" }],
      "what finished is committed",
    );
    await loop.close();
  });

  test("refuses a concurrency that is not a positive integer", () => {
    const { kafka } = standIn();
    assert.throws(
      () => loopOf(kafka, controlled().process, { mode: "batch", concurrency: 0 }),
      (err: unknown) => isIsaraError(err, "invalid_argument"),
    );
  });
});

describe("the consumer loop's life", () => {
  test("a failed start is crashed and not alive", async () => {
    const { kafka } = standIn({ connectFails: true });
    const loop = loopOf(kafka, controlled().process, { mode: "single", partitions: 1 });
    await assert.rejects(loop.start());
    assert.equal(loop.state, "crashed");
    assert.equal(loop.liveness(), false);
  });

  test("a later crash is joining (restarted) and alive; a rebalance is not ready; a second start is refused", async () => {
    const { kafka, join, crash, rebalance } = standIn();
    const { lines, logger } = capturedLog();
    const loop = loopOf(
      kafka,
      controlled().process,
      { mode: "single", partitions: 1 },
      {
        logger,
        readinessText: (a) => `own text ${a[TOPIC]?.length}`,
        joinedLogFields: (a) => ({ mine: a[TOPIC] }),
      },
    );
    await loop.start();
    join({ [TOPIC]: [2, 0] });
    assert.equal(loop.readiness(), "own text 2");
    const joined = lines.find((l) => l.msg === "joined the consumer group");
    assert.deepEqual(joined?.mine, [0, 2]);
    assert.equal(joined?.component, "test-consumer");
    assert.equal(joined?.groupId, "g");
    rebalance();
    assert.equal(loop.state, "rebalancing");
    crash(true);
    assert.equal(loop.state, "joining");
    assert.equal(loop.liveness(), true);
    join({ [TOPIC]: [0] });
    assert.equal(loop.state, "joined");
    await assert.rejects(loop.start(), (err: unknown) => isIsaraError(err, "failed_precondition"));
    await loop.close();
    assert.equal(loop.state, "stopped");
  });
});

test("a batch commits up to the last message before the first unfinished one", () => {
  assert.equal(lastFinished(["done", "dead_lettered", "done"]), 2);
  assert.equal(lastFinished(["done", "interrupted", "done"]), 0, "a message after an interrupted one waits");
  assert.equal(lastFinished(["done", undefined, "done"]), 0, "a message never started is not committed");
  assert.equal(lastFinished(["interrupted", "done"]), -1);
  assert.equal(lastFinished([]), -1);
});
