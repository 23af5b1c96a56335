import { DeadLetter, errorInfoToWire, type RunContext, TOPIC_LIST, type TopicSpec } from "@isara/contracts";
import { IsaraError } from "@isara/core";
import { contextToKafkaHeaders, type LogContext } from "@isara/kit";
import { logContextOf, type OutgoingMessage } from "./outgoing-message.js";

/**
 * The dead-letter topic of a consumed topic, from the catalogue (`topic.deadLetter`).
 * @throws IsaraError `invalid_argument` when the topic has none (a dead-letter topic itself) or the
 *   catalogue's entry does not carry `DeadLetter`: a stage must know where poison goes before it reads.
 */
export function deadLetterTopicOf(topic: TopicSpec<unknown>): TopicSpec<DeadLetter> {
  const spec = TOPIC_LIST.find((t) => t.name === topic.deadLetter);
  if (topic.deadLetter === null || spec === undefined || spec.message !== "isara.v1.DeadLetter") {
    throw new IsaraError(
      "invalid_argument",
      `topic ${topic.name} has no dead-letter topic carrying isara.v1.DeadLetter in the catalogue; ` +
        "only work and result topics can be consumed by a stage",
    );
  }
  return { ...spec, codec: DeadLetter };
}

/** What a stage knows about a message it gives up on. */
export interface GiveUp {
  /** Where the message was read. */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Its key and value exactly as read, so it can be replayed byte for byte. */
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Context from its headers, used when the value did not decode. */
  readonly headerContext: LogContext;
  /** Its run context when the value decoded. */
  readonly context: RunContext | undefined;
  /** For people: why the stage gave up. */
  readonly reason: string;
  /** The error of the last try. */
  readonly error: IsaraError;
  /** Tries made. */
  readonly attempts: number;
  /** The consumer group that gives up. */
  readonly consumerGroup: string;
  /** When. */
  readonly failedAt: Date;
}

/**
 * The `DeadLetter` record for a message a stage gives up on, for the stage's dead-letter topic. It is
 * keyed by the original key (the run id of a well-formed message) so the controller reads a run's
 * dead letters in order, and carries the run context in its headers: the decoded one when there is
 * one, else whatever the original headers said.
 */
export function deadLetterMessage(topic: TopicSpec<DeadLetter>, giveUp: GiveUp): OutgoingMessage {
  const letter: DeadLetter = {
    originalTopic: giveUp.topic,
    partition: giveUp.partition,
    offset: giveUp.offset,
    key: giveUp.key ?? Buffer.alloc(0),
    payload: giveUp.value ?? Buffer.alloc(0),
    reason: giveUp.reason,
    error: errorInfoToWire(giveUp.error),
    attempts: giveUp.attempts,
    consumerGroup: giveUp.consumerGroup,
    context: giveUp.context,
    failedAt: giveUp.failedAt,
  };
  const headerContext = giveUp.context === undefined ? giveUp.headerContext : logContextOf(giveUp.context);
  return {
    topic: topic.name,
    key: giveUp.key,
    value: Buffer.from(topic.codec.encode(letter).finish()),
    headers: contextToKafkaHeaders(headerContext),
  };
}
