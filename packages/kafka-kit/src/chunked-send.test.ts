/**
 * Records cut into chunks under the byte budget, in order, and sent one chunk after the other; a
 * record alone over the budget refused before anything is sent; kafkajs's failures classified by
 * `kafkaFailure`. chunked-send.kafka.test.ts checks the same against a real broker's limit.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isIsaraError } from "@isara/core";
import type { ProducerBatch } from "kafkajs";
import { connectionRefused, protocolError, retriesUsedUp } from "../testing/kafkajs-errors-for-tests.js";
import { isBrokerOutage } from "./broker-outage.js";
import {
  type BatchSender,
  chunkBySize,
  estimatedRecordBytes,
  HEADER_OVERHEAD_BYTES,
  MAX_BATCH_BYTES,
  RECORD_OVERHEAD_BYTES,
  sendInChunks,
} from "./chunked-send.js";
import type { OutgoingMessage } from "./outgoing-message.js";

/** Record `i` of `topic`, with a value of `valueBytes` bytes, keyed by a run id like the catalogue's. */
function record(i: number, valueBytes: number, topic = "isara.prompts.work"): OutgoingMessage {
  return {
    topic,
    key: `run-${i % 3}`,
    value: Buffer.alloc(valueBytes, i % 251),
    headers: { "x-isara-run": `run-${i % 3}`, "x-isara-round": "1" },
  };
}

const sum = (chunk: readonly OutgoingMessage[]) => chunk.reduce((n, r) => n + estimatedRecordBytes(r), 0);

/** A producer that records each batch it is given, and each call's start and end. */
function recordingProducer(fail?: (call: number) => Error | undefined) {
  const batches: ProducerBatch[] = [];
  const events: string[] = [];
  const producer: BatchSender = {
    async sendBatch(batch) {
      const call = batches.length;
      batches.push(batch);
      events.push(`start ${call}`);
      await new Promise((resolve) => setImmediate(resolve));
      const error = fail?.(call);
      if (error !== undefined) throw error;
      events.push(`end ${call}`);
      return [];
    },
  };
  return { producer, batches, events };
}

describe("estimatedRecordBytes", () => {
  test("counts key, value, header keys and values (UTF-8) and the framing of the record and each header", () => {
    const r: OutgoingMessage = {
      topic: "t",
      key: "rün",
      value: Buffer.alloc(100),
      headers: { a: "é", bb: "x" },
    };
    const expected = RECORD_OVERHEAD_BYTES + 4 + 100 + 2 * HEADER_OVERHEAD_BYTES + (1 + 2) + (2 + 1);
    assert.equal(estimatedRecordBytes(r), expected);
    assert.equal(estimatedRecordBytes({ ...r, key: null, headers: {} }), RECORD_OVERHEAD_BYTES + 100);
    assert.equal(
      estimatedRecordBytes({ ...r, key: Buffer.alloc(7), headers: {} }),
      RECORD_OVERHEAD_BYTES + 107,
    );
  });

  test("is never below what the record's bytes alone are", () => {
    const r = record(1, 5000);
    const raw = Buffer.byteLength(String(r.key)) + r.value.length;
    assert.ok(estimatedRecordBytes(r) > raw);
  });
});

describe("chunkBySize", () => {
  test("keeps every record in its order, and every chunk within the budget", () => {
    const records = Array.from({ length: 1000 }, (_, i) => record(i, 1 + ((i * 37) % 900)));
    const budget = 20_000;
    const chunks = chunkBySize(records, budget);
    assert.ok(chunks.length > 1, "the records did not fit in one chunk");
    assert.deepEqual(chunks.flat(), records, "the same records, in the same order");
    for (const chunk of chunks) {
      assert.ok(chunk.length > 0);
      assert.ok(sum(chunk) <= budget, `a chunk of ${sum(chunk)} bytes`);
    }
  });

  test("cuts a chunk only when the next record would not fit", () => {
    const records = Array.from({ length: 50 }, (_, i) => record(i, 200 + i));
    const budget = 3000;
    const chunks = chunkBySize(records, budget);
    for (const [i, chunk] of chunks.entries()) {
      const next = chunks[i + 1]?.[0];
      if (next !== undefined) assert.ok(sum(chunk) + estimatedRecordBytes(next) > budget);
    }
  });

  test("a record exactly at the budget is a chunk of its own", () => {
    const small = record(0, 10);
    const exact = record(1, 1000);
    const budget = estimatedRecordBytes(exact);
    assert.deepEqual(chunkBySize([small, exact, small], budget), [[small], [exact], [small]]);
  });

  test("no records, no chunks", () => {
    assert.deepEqual(chunkBySize([]), []);
  });

  test("by default the budget is half the broker's default message.max.bytes", () => {
    assert.equal(MAX_BATCH_BYTES, 512 * 1024);
    const records = Array.from({ length: 3000 }, (_, i) => record(i, 300));
    for (const chunk of chunkBySize(records)) assert.ok(sum(chunk) <= MAX_BATCH_BYTES);
  });

  test("a record alone over the budget is refused, naming its topic, its size and the budget", () => {
    const big = record(7, 2000, "isara.samples.judged");
    const size = estimatedRecordBytes(big);
    assert.throws(
      () => chunkBySize([record(0, 10), big], 1500),
      (err: unknown) => {
        assert.ok(isIsaraError(err, "invalid_argument"));
        assert.match(err.message, /isara\.samples\.judged/);
        assert.match(err.message, new RegExp(`${size} bytes`));
        assert.match(err.message, /1500-byte budget/);
        assert.deepEqual(err.details, { topic: "isara.samples.judged", bytes: size, maxBytes: 1500 });
        return true;
      },
    );
  });

  test("a budget that is not a positive integer is refused", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => chunkBySize([record(0, 1)], bad),
        (err: unknown) => isIsaraError(err, "invalid_argument"),
      );
    }
  });
});

describe("sendInChunks", () => {
  test("sends each chunk in its own sendBatch, the next only after the last resolved, grouped by topic", async () => {
    const records = Array.from({ length: 40 }, (_, i) =>
      record(i, 400, i % 4 === 0 ? "isara.run.events" : "isara.prompts.work"),
    );
    const { producer, batches, events } = recordingProducer();
    await sendInChunks(producer, records, { maxBatchBytes: 3000 });
    const chunks = chunkBySize(records, 3000);
    assert.equal(batches.length, chunks.length);
    assert.deepEqual(
      events,
      chunks.flatMap((_, i) => [`start ${i}`, `end ${i}`]),
      "one call at a time",
    );
    for (const [i, batch] of batches.entries()) {
      const chunk = chunks[i] ?? [];
      const topics = [...new Set(chunk.map((r) => r.topic))];
      assert.deepEqual(
        batch.topicMessages?.map((t) => t.topic),
        topics,
      );
      for (const tm of batch.topicMessages ?? []) {
        const expected = chunk.filter((r) => r.topic === tm.topic);
        assert.deepEqual(
          tm.messages.map((m) => m.value),
          expected.map((r) => r.value),
          "each topic's records in their order",
        );
        assert.deepEqual(
          tm.messages.map((m) => [m.key, m.headers]),
          expected.map((r) => [r.key, r.headers]),
        );
      }
    }
  });

  test("sends nothing for no records", async () => {
    const { producer, batches } = recordingProducer();
    await sendInChunks(producer, []);
    assert.equal(batches.length, 0);
  });

  test("sends nothing when one record is over the budget", async () => {
    const { producer, batches } = recordingProducer();
    await assert.rejects(
      sendInChunks(producer, [record(0, 10), record(1, 5000), record(2, 10)], { maxBatchBytes: 1000 }),
      (err: unknown) => isIsaraError(err, "invalid_argument"),
    );
    assert.equal(batches.length, 0);
  });

  test("a broker that is away part-way is `unavailable` and a broker outage; later chunks are not sent", async () => {
    const records = Array.from({ length: 20 }, (_, i) => record(i, 400));
    const { producer, batches } = recordingProducer((call) =>
      call === 1 ? retriesUsedUp(connectionRefused()) : undefined,
    );
    await assert.rejects(sendInChunks(producer, records, { maxBatchBytes: 2000 }), (err: unknown) => {
      assert.ok(isIsaraError(err, "unavailable"));
      assert.equal(isBrokerOutage(err), true);
      return true;
    });
    assert.equal(batches.length, 2, "stopped at the chunk that failed");
  });

  test("a request the broker refuses for good is `internal`", async () => {
    const { producer } = recordingProducer(() => protocolError("MESSAGE_TOO_LARGE", false));
    await assert.rejects(sendInChunks(producer, [record(0, 10)]), (err: unknown) => {
      assert.ok(isIsaraError(err, "internal"));
      assert.match(err.message, /MESSAGE_TOO_LARGE/);
      return true;
    });
  });
});
