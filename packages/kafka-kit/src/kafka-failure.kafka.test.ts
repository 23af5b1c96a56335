/**
 * The errors kafkajs really throws when the broker goes away, from a real broker (started by
 * @isara/testkit/kafka) that is stopped while a producer is sending and while a consumer holds a
 * message it has not committed yet: each must be `unavailable` and a broker outage, so a stage waits
 * for the broker instead of dead-lettering the message (the issue: a `KafkaJSNonRetriableError`
 * wrapping `ECONNREFUSED` was taken for poison).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createRootLogger } from "@isara/kit";
import { type KafkaBroker, kafkaSkipReason, startKafka } from "@isara/testkit/kafka";
import { type Consumer, Kafka, logLevel, type Producer } from "kafkajs";
import { errorChain, isBrokerOutage } from "./broker-outage.js";
import { type CrashRestart, restartAfterCrash } from "./crash-restart.js";
import { kafkaFailure } from "./kafka-failure.js";

const skip = kafkaSkipReason();
const logger = createRootLogger({ level: "silent", name: "kafka-kit-test" });
const TOPIC = "isara.outage.probe";
const GROUP = "outage-probe";

/** `name: message` of every link of `err`'s cause chain, for the test's diagnostics. */
function chainOf(err: unknown): string {
  return errorChain(err)
    .map((e) => `${String((e as Error).name)}: ${String((e as Error).message)}`)
    .join(" <- ");
}

/** A resolvable promise. */
function latch<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** What `action` rejected with; fails the test if it resolved. */
async function rejectionOf(what: string, action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (err) {
    return err;
  }
  return assert.fail(`${what} succeeded with the broker stopped`);
}

describe("the errors kafkajs throws when the broker stops", () => {
  let broker: KafkaBroker | undefined;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  let recovery: CrashRestart | undefined;
  const thrown: { midProduce?: unknown; produce?: unknown; commit?: unknown } = {};

  before(
    async () => {
      if (skip !== false) return;
      broker = await startKafka();
      const client = { brokers: [broker.bootstrap], logLevel: logLevel.NOTHING };
      // kafkajs's usual retries while the broker is up (a busy machine is slow to elect a coordinator)...
      const kafka = new Kafka({ ...client, clientId: "kafka-kit-outage-test" });
      // ...and a short budget for the producer that meets the broker away, so kafkajs gives up in
      // seconds, as it does after about a minute in production.
      const impatient = new Kafka({
        ...client,
        clientId: "kafka-kit-outage-test-impatient",
        connectionTimeout: 1000,
        requestTimeout: 5000,
        retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
      });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }], waitForLeaders: true });
      await admin.disconnect();
      const setup = kafka.producer({ allowAutoTopicCreation: false });
      await setup.connect();
      await setup.send({ topic: TOPIC, messages: [{ key: "run-1", value: "work" }] });
      await setup.disconnect();
      producer = impatient.producer({ allowAutoTopicCreation: false });
      await producer.connect();

      // A consumer that holds the message, uncommitted, until the broker is gone, then commits it
      // and publishes its "result", as a stage does.
      const holding = latch();
      const stopped = latch();
      const tried = latch();
      consumer = kafka.consumer({
        groupId: GROUP,
        allowAutoTopicCreation: false,
        retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 2000 },
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
      const c = consumer;
      const p = producer;
      let held = false;
      const run = () =>
        c.run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            if (held) return;
            held = true;
            holding.resolve();
            await stopped.promise;
            thrown.produce = await rejectionOf("producing", () =>
              p.send({ topic: TOPIC, messages: [{ key: "run-1", value: "result" }] }),
            );
            const next = (BigInt(message.offset) + 1n).toString();
            thrown.commit = await rejectionOf("committing", () =>
              c.commitOffsets([{ topic, partition, offset: next }]),
            );
            tried.resolve();
          },
        });
      // A coordinator not found while the group forms would stop a kafkajs consumer for good.
      recovery = restartAfterCrash({ consumer: c, run, logger });
      await run();
      await holding.promise;

      // A producer that keeps sending while the broker stops under it.
      let sending = true;
      const midProduce = (async () => {
        for (let i = 0; sending; i++) {
          try {
            await p.send({ topic: TOPIC, messages: [{ key: `run-${i % 7}`, value: "busy" }] });
          } catch (err) {
            return err;
          }
          await sleep(5);
        }
        return undefined;
      })();
      await sleep(200);
      await broker.stop();
      thrown.midProduce = await midProduce;
      sending = false;
      stopped.resolve();
      await tried.promise;
    },
    { timeout: 240_000 },
  );

  after(
    async () => {
      await recovery?.stop();
      await consumer?.disconnect().catch(() => {});
      await producer?.disconnect().catch(() => {});
      await broker?.stop();
    },
    { timeout: 120_000 },
  );

  for (const [what, key] of [
    ["a send in flight when the broker stops", "midProduce"],
    ["a send after the broker stopped, past the retry budget", "produce"],
    ["committing an offset after the broker stopped", "commit"],
  ] as const) {
    test(`${what}: unavailable, a broker outage`, { skip }, (t) => {
      const err = thrown[key];
      assert.ok(err !== undefined, `nothing was thrown for ${key}`);
      t.diagnostic(`${key}: ${chainOf(err)}`);
      assert.ok(err instanceof Error && err.name.startsWith("KafkaJS"), chainOf(err));
      const failure = kafkaFailure(err);
      assert.equal(failure.code, "unavailable", `${failure.message} (${chainOf(err)})`);
      assert.equal(isBrokerOutage(err), true, chainOf(err));
      assert.equal(isBrokerOutage(failure), true, chainOf(err));
    });
  }
});
