import { encodeTopicMessage, type RunContext, type TopicSpec, topicKey } from "@isara/contracts";
import { contextToKafkaHeaders, type LogContext } from "@isara/kit";

/** A Kafka record ready to send: topic, key, protobuf value and context headers. */
export interface OutgoingMessage {
  /** Topic name from the catalogue. */
  readonly topic: string;
  /** The run id for every catalogue message; the original key (possibly none) for a dead letter. */
  readonly key: string | Buffer | null;
  /** The protobuf bytes of the topic's message type. */
  readonly value: Buffer;
  /** `x-request-id`, `x-isara-run`, `x-isara-domain`, `x-isara-round`: logs bind them before decoding. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Any topic message: each carries its run context (required on every topic but the dead-letter ones). */
export interface WithRunContext {
  readonly context?: RunContext | undefined;
}

/**
 * The log context of a run context: `correlation_id` travels as the request id, so one query finds
 * every line about the request that started the chain, across services.
 */
export function logContextOf(context: RunContext | undefined): LogContext {
  if (context === undefined) return {};
  return {
    requestId: context.correlationId,
    run: context.run,
    domain: context.domain,
    round: context.round,
  };
}

/**
 * `message` as a record for `topic`: keyed by its run id (`topicKey`), encoded with the topic's codec,
 * with its run context copied into the headers (see docs/topics.md, "Headers").
 * @throws IsaraError `invalid_argument` when the message has no run context: unkeyed, it would land on
 *   any partition and break the per-run order consumers rely on.
 */
export function outgoingMessage<T extends WithRunContext>(topic: TopicSpec<T>, message: T): OutgoingMessage {
  return {
    topic: topic.name,
    key: topicKey(message.context),
    value: encodeTopicMessage(topic, message),
    headers: contextToKafkaHeaders(logContextOf(message.context)),
  };
}
