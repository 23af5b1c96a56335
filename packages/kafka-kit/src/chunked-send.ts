/**
 * The one way records go to Kafka: in sequential `sendBatch` calls, each under a byte budget, so no
 * request the broker sees is larger than it accepts, whatever the number of records. A phase of a run
 * with 20 000 prompts is 20 000 `PromptWork` records, and a round's filtering is one `SampleJudged` per
 * sample: sent in one batch, they went over the broker's `message.max.bytes` and were refused, and the
 * run stopped without a word.
 */
import { IsaraError } from "@isara/core";
import type { Producer } from "kafkajs";
import { kafkaFailure } from "./kafka-failure.js";
import type { OutgoingMessage } from "./outgoing-message.js";

/**
 * The most bytes (estimated, see {@link estimatedRecordBytes}) one `sendBatch` carries: 512 KiB, half
 * the broker's default `message.max.bytes` (1 MiB, which applies to each record batch). Half, not all
 * of it: the estimate cannot see the batch framing and request headers exactly, and a broker may count
 * a compressed or re-encoded batch differently; and no message should come within 50% of the broker's
 * limit, so a broker left at its defaults always has room.
 */
export const MAX_BATCH_BYTES = 512 * 1024;

/**
 * Bytes added to one record's key, value and headers by its framing in a v2 record batch: varints for
 * the length (≤5), timestamp delta (≤10), offset delta (≤5), key length (≤5), value length (≤5) and
 * header count (≤5), plus the attributes byte, is 36 at most; 64 leaves room.
 */
export const RECORD_OVERHEAD_BYTES = 64;

/** Bytes added to each header's key and value by its framing: two length varints (≤5 each); 16 leaves room. */
export const HEADER_OVERHEAD_BYTES = 16;

/** The producer's one call that {@link sendInChunks} uses (a kafkajs `Producer`, or a test's fake). */
export type BatchSender = Pick<Producer, "sendBatch">;

/** How {@link sendInChunks} splits records. */
export interface ChunkedSendOptions {
  /** Budget of one `sendBatch` in estimated bytes (default {@link MAX_BATCH_BYTES}). */
  readonly maxBatchBytes?: number;
}

function byteLength(data: string | Buffer | null): number {
  if (data === null) return 0;
  return typeof data === "string" ? Buffer.byteLength(data, "utf8") : data.length;
}

/**
 * An upper estimate of the bytes `record` takes in a record batch: its key, value, header keys and
 * values (UTF-8), plus {@link RECORD_OVERHEAD_BYTES} and {@link HEADER_OVERHEAD_BYTES} per header.
 */
export function estimatedRecordBytes(record: OutgoingMessage): number {
  let bytes = RECORD_OVERHEAD_BYTES + byteLength(record.key) + record.value.length;
  for (const [key, value] of Object.entries(record.headers)) {
    bytes += HEADER_OVERHEAD_BYTES + byteLength(key) + byteLength(value);
  }
  return bytes;
}

/**
 * `records` cut into consecutive chunks, in order, each of at most `maxBytes` estimated bytes
 * ({@link estimatedRecordBytes}); a chunk is cut only when the next record would not fit. Pure.
 * @throws IsaraError `invalid_argument` for a budget that is not a positive integer, or for a record
 *   that alone is over the budget (naming its topic, its size and the budget): the broker would refuse
 *   it, and sending the records before it would only deliver part of the set.
 */
export function chunkBySize(
  records: readonly OutgoingMessage[],
  maxBytes: number = MAX_BATCH_BYTES,
): OutgoingMessage[][] {
  if (!(Number.isInteger(maxBytes) && maxBytes > 0)) {
    throw new IsaraError(
      "invalid_argument",
      `a batch budget of ${maxBytes} bytes must be a positive integer`,
    );
  }
  const chunks: OutgoingMessage[][] = [];
  let chunk: OutgoingMessage[] = [];
  let chunkBytes = 0;
  for (const record of records) {
    const bytes = estimatedRecordBytes(record);
    if (bytes > maxBytes) {
      throw new IsaraError(
        "invalid_argument",
        `a record for ${record.topic} is ${bytes} bytes (estimated, encoded), over the ${maxBytes}-byte budget ` +
          "of one Kafka send; the broker would refuse it. Put large data in the artifact store and send its key",
        { topic: record.topic, bytes, maxBytes },
      );
    }
    if (chunk.length > 0 && chunkBytes + bytes > maxBytes) {
      chunks.push(chunk);
      chunk = [];
      chunkBytes = 0;
    }
    chunk.push(record);
    chunkBytes += bytes;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** One chunk as kafkajs's `sendBatch` takes it: grouped by topic, each topic's records in order. */
function topicMessagesOf(chunk: readonly OutgoingMessage[]) {
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const record of chunk) {
    const list = byTopic.get(record.topic);
    if (list === undefined) byTopic.set(record.topic, [record]);
    else list.push(record);
  }
  return [...byTopic].map(([topic, list]) => ({
    topic,
    messages: list.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
  }));
}

/**
 * Sends `records` in consecutive `sendBatch` calls of at most the budget each ({@link chunkBySize}),
 * each awaited before the next, so records of one partition reach it in the order given; resolves
 * once the broker acknowledged them all. Nothing is sent when a record alone is over the budget.
 *
 * A failure part-way leaves the chunks before it delivered: the caller sends the whole set again (the
 * controller republishes a phase's outstanding work, a stage retries the message), which is harmless
 * because every consumer is idempotent (each record carries its deterministic idempotency key; see
 * docs/topics.md).
 *
 * Rejects with kafka-kit's `kafkaFailure` of what kafkajs threw, so a broker that is away stays
 * `unavailable` (and a broker outage) and a request the broker refuses for good is `internal`.
 * @throws IsaraError `invalid_argument` from {@link chunkBySize}, before anything is sent.
 */
export async function sendInChunks(
  producer: BatchSender,
  records: readonly OutgoingMessage[],
  options: ChunkedSendOptions = {},
): Promise<void> {
  const chunks = chunkBySize(records, options.maxBatchBytes ?? MAX_BATCH_BYTES);
  for (const chunk of chunks) {
    try {
      await producer.sendBatch({ topicMessages: topicMessagesOf(chunk) });
    } catch (err) {
      throw kafkaFailure(err);
    }
  }
}
