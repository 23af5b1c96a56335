/**
 * Writing and reading topic messages: the Kafka key of a message and its value as protobuf bytes.
 * Reading tells poison from everything else: a value that is missing or does not decode as the
 * topic's message type fails with `invalid_argument`, which a consumer sends to the topic's
 * dead-letter topic instead of retrying (retrying the same bytes can never succeed).
 */
import { IsaraError } from "@isara/core";
import type { RunContext } from "./gen/isara/v1/run_context.js";
import type { TopicSpec } from "./topics.js";

/**
 * The Kafka key of a message: its run id, so a run's messages stay in order on one partition.
 * @throws IsaraError `invalid_argument` when the context or its run id is missing; an unkeyed
 *   message would land on any partition and break the per-run order consumers rely on.
 */
export function topicKey(context: RunContext | undefined): string {
  if (context === undefined || context.run === "") {
    throw new IsaraError(
      "invalid_argument",
      "message has no run context; every topic message carries RunContext with the run id as its key",
    );
  }
  return context.run;
}

/** The Kafka value of `message` on `topic`: the protobuf bytes of the topic's message type. */
export function encodeTopicMessage<T>(topic: TopicSpec<T>, message: T): Buffer {
  return Buffer.from(topic.codec.encode(message).finish());
}

/**
 * The message of a Kafka value read from `topic`.
 * @throws IsaraError `invalid_argument` (poison: dead-letter it) when the value is missing (a
 *   tombstone) or is not a valid encoding of the topic's message type.
 */
export function decodeTopicMessage<T>(topic: TopicSpec<T>, value: Uint8Array | null | undefined): T {
  if (value === null || value === undefined) {
    throw new IsaraError(
      "invalid_argument",
      `message on ${topic.name} has no value; producers send ${topic.message} bytes, never tombstones`,
    );
  }
  try {
    return topic.codec.decode(value);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new IsaraError(
      "invalid_argument",
      `message on ${topic.name} is not a valid ${topic.message} (${value.byteLength} bytes): ${why}`,
      undefined,
      { cause: err },
    );
  }
}
