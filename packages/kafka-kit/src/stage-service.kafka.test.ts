/**
 * The stage service skeleton against a real Kafka broker (started by @isara/testkit/kafka): probes
 * before and after start, topics created, work handled by the helper's consumer, components closed
 * in reverse start order, and a start that meets a shutdown stops instead of leaking a component.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { decodeTopicMessage, type EvalDone, type EvalWork, roundWorkKey, TOPICS } from "@isara/contracts";
import { isIsaraError } from "@isara/core";
import { createRootLogger, createShutdown } from "@isara/kit";
import { type KafkaBroker, kafkaSkipReason, startKafka } from "@isara/testkit/kafka";
import { type Consumer, Kafka, logLevel, type Producer } from "kafkajs";
import { outgoingMessage } from "./outgoing-message.js";
import { createCatalogueProducer } from "./producer.js";
import { createStageService, type StageServiceOptions } from "./stage-service.js";

const skip = kafkaSkipReason();
const logger = createRootLogger({ level: "silent", name: "kafka-kit-test" });
const TOPICS_OF_STAGE = [TOPICS.evalWork, TOPICS.evalDone, TOPICS.evalDeadLetter];

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

describe("a stage service on a real broker", () => {
  let broker: KafkaBroker;
  let kafka: Kafka;
  let sender: Producer;
  let observer: Consumer;
  const results: EvalDone[] = [];
  // Timeouts here are safety nets: under a loaded machine a consumer leaving its group can take seconds.
  const shutdown = createShutdown({ logger, timeoutMs: 30_000 });

  before(async () => {
    if (skip !== false) return;
    broker = await startKafka();
    kafka = new Kafka({
      clientId: "kafka-kit-service-test",
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    });
  });
  after(async () => {
    await shutdown.shutdown("tests over");
    await observer?.disconnect();
    await sender?.disconnect();
    await broker?.stop();
  });

  function service(overrides: Partial<StageServiceOptions> & Pick<StageServiceOptions, "startComponents">) {
    return createStageService({
      name: "kit-service",
      topics: TOPICS_OF_STAGE,
      kafka,
      logger,
      retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
      drainTimeoutMs: 1000,
      shutdownTimeoutMs: 30_000,
      consumer: { heartbeatIntervalMs: 500, maxWaitTimeMs: 200 },
      ...overrides,
    });
  }

  test("starts topics, producer, its components and the consumer; shutdown closes them in reverse", {
    skip,
  }, async () => {
    const closed: string[] = [];
    let clientUp = false;
    const app = service({
      checks: { client: () => (clientUp ? "connected" : false) },
      async startComponents({ own, stageConsumer }) {
        clientUp = true;
        await own("client", () => {
          closed.push("client");
        });
        return stageConsumer(TOPICS.evalWork, async (w) => [
          outgoingMessage(TOPICS.evalDone, {
            context: w.context,
            idempotencyKey: w.idempotencyKey,
            outcome: undefined,
          }),
        ]);
      },
    });

    const before = await app.health.readiness();
    assert.equal(before.status, "fail");
    assert.deepEqual(
      Object.keys(before.checks),
      ["client", "kafka-consumer"],
      "the service's checks come first",
    );
    assert.equal((await app.health.liveness()).status, "ok", "a consumer not started yet is alive");

    await app.start(shutdown);
    await waitFor("the consumer to join", async () => (await app.health.readiness()).status === "ok");

    const admin = kafka.admin();
    await admin.connect();
    const present = await admin.listTopics();
    await admin.disconnect();
    for (const t of TOPICS_OF_STAGE) assert.ok(present.includes(t.name), t.name);

    sender = createCatalogueProducer(kafka);
    await sender.connect();
    observer = kafka.consumer({ groupId: "kit-service-observer", maxWaitTimeInMs: 200 });
    await observer.connect();
    await observer.subscribe({ topic: TOPICS.evalDone.name, fromBeginning: true });
    await observer.run({
      eachMessage: async ({ message }) => {
        results.push(decodeTopicMessage(TOPICS.evalDone, message.value));
      },
    });
    await sender.send({
      topic: TOPICS.evalWork.name,
      messages: [outgoingMessage(TOPICS.evalWork, work("run-1"))],
    });
    await waitFor("the result of the work", () => results.length === 1);
    assert.equal(results[0]?.context?.run, "run-1");
    assert.match(await app.metrics.render(), /^isara_\w+\{[^}]*service="kit-service"/m);

    await assert.rejects(
      app.start(shutdown),
      (err: unknown) =>
        isIsaraError(err, "failed_precondition") && err.message === "the kit-service app was started already",
    );

    const report = await shutdown.shutdown("test over");
    assert.ok(report.ok);
    assert.deepEqual(
      report.results.map((r) => r.name),
      ["kafka-consumer", "client", "kafka-producer"],
    );
    assert.deepEqual(closed, ["client"]);
  });

  test("a component that finished starting after shutdown began is closed at once, and start stops", {
    skip,
  }, async () => {
    const lateShutdown = createShutdown({ logger, timeoutMs: 30_000 });
    let lateClosed = false;
    let consumerBuilt = false;
    const app = service({
      name: "kit-service-late",
      async startComponents({ own, stageConsumer }) {
        await lateShutdown.shutdown("signal during start");
        await own("late-client", () => {
          lateClosed = true;
        });
        consumerBuilt = true;
        return stageConsumer(TOPICS.evalWork, async () => []);
      },
    });
    await assert.rejects(
      app.start(lateShutdown),
      (err: unknown) =>
        isIsaraError(err, "cancelled") && err.message === "shutdown began while late-client was starting",
    );
    assert.equal(lateClosed, true);
    assert.equal(consumerBuilt, false);
    assert.equal((await app.health.readiness()).checks["kafka-consumer"]?.status, "fail");
  });
});
