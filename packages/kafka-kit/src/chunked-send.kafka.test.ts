/**
 * `sendInChunks` against a real broker (started by @isara/testkit/kafka, at its default
 * `message.max.bytes` of 1 MiB): the 20 000 `PromptWork` records of one phase of a large run, built as
 * the controller builds them, are refused by the broker when sent in one `sendBatch` (what the
 * controller did before), and all arrive, in order, when sent through `sendInChunks`, with no record
 * batch (as the broker stored it) over the budget. Skipped, with the reason, where Java or the Kafka jars are missing.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { decodeTopicMessage, type PromptWork, type RunContext, TOPICS } from "@isara/contracts";
import { demoQuotas, deriveSeed, isIsaraError, sampleId } from "@isara/core";
import { createRootLogger } from "@isara/kit";
import { waitFor } from "@isara/testkit";
import { type KafkaBroker, kafkaSkipReason, recordBatchSizes, startKafka } from "@isara/testkit/kafka";
import { type Admin, type Consumer, Kafka, type Producer } from "kafkajs";
import { chunkBySize, estimatedRecordBytes, MAX_BATCH_BYTES, sendInChunks } from "./chunked-send.js";
import { ensureTopics } from "./ensure-topics.js";
import { kafkaFailure } from "./kafka-failure.js";
import { kafkaLogging } from "./kafka-logging.js";
import { type OutgoingMessage, outgoingMessage } from "./outgoing-message.js";
import { createCatalogueProducer } from "./producer.js";

const skip = kafkaSkipReason();
const logger = createRootLogger({ level: "silent", name: "chunked-send-test" });
const SLOTS = 20_000;
const RUN = "truthfulqa-20250101-0a1b2c3d";

/** The prompts phase of round 1 of a run with 20 000 prompts per round, as the controller's work plan builds it. */
function promptsPhase(): OutgoingMessage[] {
  const context: RunContext = {
    run: RUN,
    domain: "truthfulqa",
    round: 1,
    correlationId: "9f2c4a1e-5b7d-4c3a-8e6f-0d1c2b3a4f5e",
  };
  const quotas = demoQuotas(1, 8, [817]);
  return Array.from({ length: SLOTS }, (_, slot) => {
    const work: PromptWork = {
      context,
      idempotencyKey: sampleId(RUN, 1, slot),
      slot,
      quotas,
      demoSeed: deriveSeed(1234, "prompt-demos", 1, slot),
      samplingSeed: deriveSeed(1234, "prompt-sampling", 1, slot),
      sampling: undefined,
      promptBudgetTokens: 0,
      model: { baseModel: "Qwen/Qwen2.5-0.5B-Instruct" },
    };
    return outgoingMessage(TOPICS.promptWork, work);
  });
}

describe("a large phase's records on a real broker", () => {
  let broker: KafkaBroker;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer | undefined;
  const records = promptsPhase();

  before(async () => {
    if (skip !== false) return;
    broker = await startKafka();
    kafka = new Kafka({
      clientId: "chunked-send-test",
      brokers: [broker.bootstrap],
      ...kafkaLogging(logger),
    });
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [TOPICS.promptWork]);
    producer = createCatalogueProducer(kafka);
    await producer.connect();
  });
  after(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await admin?.disconnect();
    await broker?.stop();
  });

  async function recordsOnTopic(): Promise<number> {
    const offsets = await admin.fetchTopicOffsets(TOPICS.promptWork.name);
    return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  }

  test("the whole phase in one sendBatch is refused by the broker: over its max message size", {
    skip,
  }, async () => {
    const estimated = records.reduce((n, r) => n + estimatedRecordBytes(r), 0);
    assert.ok(estimated > 1024 * 1024, `the phase is ${estimated} bytes, over the broker's 1 MiB`);
    await assert.rejects(
      producer.sendBatch({
        topicMessages: [
          {
            topic: TOPICS.promptWork.name,
            messages: records.map((r) => ({ key: r.key, value: r.value, headers: { ...r.headers } })),
          },
        ],
      }),
      (err: unknown) => {
        const failure = kafkaFailure(err);
        assert.equal(failure.code, "internal", failure.message);
        assert.match(failure.message, /larger than the max message size|MESSAGE_TOO_LARGE/);
        return true;
      },
    );
    assert.equal(await recordsOnTopic(), 0, "the broker kept none of them");
  });

  test("sent with sendInChunks, all 20 000 arrive in order, and no record batch is over the budget", {
    skip,
  }, async (t) => {
    const chunks = chunkBySize(records);
    assert.ok(chunks.length > 1);
    await sendInChunks(producer, records);
    assert.equal(await recordsOnTopic(), SLOTS);
    const batches = await recordBatchSizes(broker.dataDir, TOPICS.promptWork.name);
    assert.equal(batches.length, chunks.length, "one record batch per chunk: one run, one partition");
    const largest = Math.max(...batches);
    assert.ok(largest <= MAX_BATCH_BYTES, `the largest record batch the broker stored is ${largest} bytes`);
    t.diagnostic(`${SLOTS} records in ${batches.length} record batches, the largest ${largest} bytes`);

    const slots: number[] = [];
    consumer = kafka.consumer({ groupId: "chunked-send-reader", maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.promptWork.name, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) slots.push(decodeTopicMessage(TOPICS.promptWork, m.value).slot);
      },
    });
    await waitFor(
      "all 20 000 records read back",
      () => slots.length >= SLOTS,
      120_000,
      () => `${slots.length}`,
    );
    assert.equal(slots.length, SLOTS, "each record once");
    assert.deepEqual(
      slots,
      Array.from({ length: SLOTS }, (_, i) => i),
      "one run's records, on one partition, in the order given",
    );
  });

  test("a record alone over the budget is refused before anything is sent", { skip }, async () => {
    const before = await recordsOnTopic();
    const huge: OutgoingMessage = {
      ...(records[0] as OutgoingMessage),
      value: Buffer.alloc(MAX_BATCH_BYTES),
    };
    await assert.rejects(sendInChunks(producer, [records[1] as OutgoingMessage, huge]), (err: unknown) => {
      assert.ok(isIsaraError(err, "invalid_argument"));
      assert.match(err.message, /isara\.prompts\.work/);
      return true;
    });
    assert.equal(await recordsOnTopic(), before);
  });
});
