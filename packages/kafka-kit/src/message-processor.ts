import { setTimeout as sleep } from "node:timers/promises";
import { type DeadLetter, decodeTopicMessage, type RunContext, type TopicSpec } from "@isara/contracts";
import type { IsaraError } from "@isara/core";
import { childLogger, contextFromKafkaHeaders, type Logger, type WireValue } from "@isara/kit";
import { isBrokerOutage } from "./broker-outage.js";
import { deadLetterMessage } from "./dead-letter.js";
import { kafkaFailure } from "./kafka-failure.js";
import { logContextOf, type OutgoingMessage, type WithRunContext } from "./outgoing-message.js";
import { type RetryPolicy, retryDelayMs } from "./retry-policy.js";
import type { MessageOutcome, StageMetrics } from "./stage-metrics.js";

/** A consumed Kafka message, as far as a stage needs it (kafkajs's `KafkaMessage` fits). */
export interface ReceivedMessage {
  readonly topic: string;
  readonly partition: number;
  /** Offset as a decimal string, as Kafka clients give it. */
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, WireValue>> | undefined;
}

/** What a handler gets besides the decoded message. */
export interface StageJob {
  /** Aborted when the service shuts down: stop, throw, and the message is redelivered later. */
  readonly signal: AbortSignal;
  /** Bound to the message's run, domain, round and request id, its topic, partition and offset. */
  readonly logger: Logger;
  /** 1 on first delivery to this handler, then 2, 3, … for in-place retries. */
  readonly attempt: number;
  /** Where the message was read. */
  readonly source: { readonly topic: string; readonly partition: number; readonly offset: string };
}

/**
 * Does a stage's work for one decoded message and returns the messages to publish as its result;
 * they are published before the offset is committed. The handler's other effects (artifacts,
 * stores) must be idempotent: after a crash the same message comes again. Throw a retryable
 * `IsaraError` (`unavailable`, ...) to be retried in place (at most `RetryPolicy.attempts` tries, or
 * for as long as the broker is away when the failure wraps a kafkajs outage), anything else to
 * dead-letter the message.
 */
export type StageHandler<T> = (message: T, job: StageJob) => Promise<readonly OutgoingMessage[]>;

/** What {@link createMessageProcessor} needs. */
export interface MessageProcessorOptions<T extends WithRunContext> {
  /** The topic read, whose codec decodes values. */
  readonly topic: TopicSpec<T>;
  /** Where given-up messages go (`deadLetterTopicOf(topic)`). */
  readonly deadLetterTopic: TopicSpec<DeadLetter>;
  /** The consumer group, recorded in dead letters. */
  readonly groupId: string;
  readonly handle: StageHandler<T>;
  /**
   * Sends records and resolves once the broker has them; rejects when it cannot. A retryable
   * rejection is taken to mean the broker is away (see {@link createMessageProcessor}).
   */
  readonly publish: (messages: readonly OutgoingMessage[]) => Promise<void>;
  readonly retry: RetryPolicy;
  readonly logger: Logger;
  readonly metrics?: StageMetrics;
  /** Clock for `DeadLetter.failed_at` (default: the system clock). */
  readonly now?: () => Date;
}

/**
 * The delivery rules of a stage, apart from any Kafka client, so they can be tested in memory:
 * decode the value (undecodable = poison), run the handler, publish its results; a retryable failure
 * is retried in place after {@link retryDelayMs}. How long depends on whose failure it is:
 * - the broker is away or moving (publishing the results failed retryably, or the handler's failure
 *   wraps a kafkajs outage, see {@link isBrokerOutage}): retried for as long as that lasts, since the
 *   message is not at fault and a dead letter could not be written either;
 * - the handler's own retryable failure (an LLM server down): at most `retry.attempts` tries, then the
 *   message is dead-lettered, so one message cannot hold its partition for ever.
 * Poison (undecodable, or a failure that is not retryable) is dead-lettered at once. The dead letter
 * itself is retried until the broker has it. Resolves to the outcome, never rejects:
 * - `done` and `dead_lettered`: effects are complete; commit the offset.
 * - `interrupted`: `signal` was aborted (shutdown); do NOT commit, so the message is redelivered.
 */
export function createMessageProcessor<T extends WithRunContext>(
  options: MessageProcessorOptions<T>,
): (message: ReceivedMessage, signal: AbortSignal) => Promise<MessageOutcome> {
  const now = options.now ?? (() => new Date());
  const topicName = options.topic.name;

  function bind(message: ReceivedMessage, context: RunContext | undefined): Logger {
    const ctx = context === undefined ? contextFromKafkaHeaders(message.headers) : logContextOf(context);
    return childLogger(options.logger, { component: "stage-consumer", ...ctx }).child({
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
    });
  }

  async function deadLetter(
    message: ReceivedMessage,
    context: RunContext | undefined,
    error: IsaraError,
    attempts: number,
    reason: string,
    logger: Logger,
    signal: AbortSignal,
  ): Promise<MessageOutcome> {
    const record = deadLetterMessage(options.deadLetterTopic, {
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      headerContext: contextFromKafkaHeaders(message.headers),
      context,
      reason,
      error,
      attempts,
      consumerGroup: options.groupId,
      failedAt: now(),
    });
    for (let tried = 1; ; tried++) {
      try {
        await options.publish([record]);
        break;
      } catch (err) {
        if (signal.aborted) return "interrupted";
        logger.error({ err: kafkaFailure(err), tried }, "cannot write the dead letter yet; trying again");
        if (!(await pause(retryDelayMs(options.retry, tried), signal))) return "interrupted";
      }
    }
    options.metrics?.deadLetters.inc({ topic: topicName, code: error.code });
    logger.error({ err: error, attempts, deadLetterTopic: options.deadLetterTopic.name }, reason);
    return "dead_lettered";
  }

  return async (message, signal) => {
    let decoded: T;
    try {
      decoded = decodeTopicMessage(options.topic, message.value);
    } catch (err) {
      const error = kafkaFailure(err);
      const logger = bind(message, undefined);
      return deadLetter(message, undefined, error, 1, `poison message: ${error.message}`, logger, signal);
    }
    const context = decoded.context;
    const logger = bind(message, context);
    const source = { topic: message.topic, partition: message.partition, offset: message.offset };
    // Tries that failed for the handler's own reasons: only these count against `retry.attempts`.
    let ownFailures = 0;
    for (let attempt = 1; ; attempt++) {
      let failure: IsaraError;
      let outage: boolean;
      try {
        const results = await options.handle(decoded, { signal, logger, attempt, source });
        try {
          if (results.length > 0) await options.publish(results);
          return "done";
        } catch (err) {
          // Publishing talks to the broker alone: if retrying may help, the broker is what is away.
          failure = kafkaFailure(err);
          outage = failure.retryable;
        }
      } catch (err) {
        failure = kafkaFailure(err);
        outage = failure.retryable && isBrokerOutage(failure);
      }
      if (signal.aborted) {
        logger.info({ attempt }, "interrupted by shutdown; left uncommitted, so it will be delivered again");
        return "interrupted";
      }
      if (!failure.retryable) {
        const reason = `poison message (${failure.code}): ${failure.message}`;
        return deadLetter(message, context, failure, attempt, reason, logger, signal);
      }
      if (!outage) ownFailures++;
      if (ownFailures >= options.retry.attempts) {
        const reason = `gave up after ${attempt} attempts (${failure.code}): ${failure.message}`;
        return deadLetter(message, context, failure, attempt, reason, logger, signal);
      }
      const delayMs = retryDelayMs(options.retry, attempt);
      options.metrics?.retries.inc({ topic: topicName, code: failure.code });
      logger.warn(
        { err: failure, attempt, delayMs },
        outage
          ? "Kafka is away; retrying without committing until it is back"
          : "transient failure; retrying without committing",
      );
      if (!(await pause(delayMs, signal))) return "interrupted";
    }
  };
}

/** Waits `ms`; `false` when `signal` aborted the wait. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
