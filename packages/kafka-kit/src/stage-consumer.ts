import type { TopicSpec } from "@isara/contracts";
import type { Logger } from "@isara/kit";
import type { Kafka, Producer } from "kafkajs";
import { sendInChunks } from "./chunked-send.js";
import {
  type ConsumerLoop,
  type ConsumerState,
  createConsumerLoop,
  type ProcessMessage,
} from "./consumer-loop.js";
import { deadLetterTopicOf } from "./dead-letter.js";
import { createMessageProcessor, type StageHandler } from "./message-processor.js";
import type { WithRunContext } from "./outgoing-message.js";
import { checkRetryPolicy, DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry-policy.js";
import type { StageMetrics } from "./stage-metrics.js";

/** Where a stage consumer is in its life; readiness is `joined`. */
export type StageConsumerState = ConsumerState;

/** What {@link createStageProcessor} needs. */
export interface StageProcessorOptions<T extends WithRunContext> {
  /** Connected producer for results and dead letters. */
  readonly producer: Producer;
  /** Consumer group, recorded in dead letters. */
  readonly groupId: string;
  /** The topic read; its catalogue entry names the dead-letter topic. */
  readonly topic: TopicSpec<T>;
  readonly handle: StageHandler<T>;
  readonly retry: RetryPolicy;
  readonly logger: Logger;
  readonly metrics?: StageMetrics;
}

/**
 * The processor of one work topic of a stage: `createMessageProcessor` publishing the handler's
 * results and its dead letters (to the topic's catalogue dead-letter topic) through `producer`, in
 * chunks under the broker's limit (`sendInChunks`), so a round's worth of results fits however large.
 * Shared by the stage consumer and generation's batch consumer, so both dead-letter alike.
 * @throws IsaraError `invalid_argument` when the catalogue names no dead-letter topic for `topic`.
 */
export function createStageProcessor<T extends WithRunContext>(
  options: StageProcessorOptions<T>,
): ProcessMessage {
  return createMessageProcessor({
    topic: options.topic,
    deadLetterTopic: deadLetterTopicOf(options.topic),
    groupId: options.groupId,
    handle: options.handle,
    publish: (messages) => sendInChunks(options.producer, messages),
    retry: options.retry,
    logger: options.logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
}

/** What {@link createStageConsumer} needs. */
export interface StageConsumerOptions<T extends WithRunContext> {
  readonly kafka: Kafka;
  /** Connected producer for results and dead letters; the caller closes it after this consumer. */
  readonly producer: Producer;
  /** Consumer group: the service name, as the catalogue's `consumers` lists it. */
  readonly groupId: string;
  /** The topic to consume; its catalogue entry names the dead-letter topic. */
  readonly topic: TopicSpec<T>;
  readonly handle: StageHandler<T>;
  readonly logger: Logger;
  readonly metrics?: StageMetrics;
  /** Retries of transient failures (default {@link DEFAULT_RETRY_POLICY}). */
  readonly retry?: RetryPolicy;
  /** On close, how long the message in flight may take to finish before it is aborted (default 10 s). */
  readonly drainTimeoutMs?: number;
  /**
   * Messages handled at once, each from its own partition (kafkajs `partitionsConsumedConcurrently`;
   * default 1). Messages of one partition are always handled in order, one after the other.
   */
  readonly partitions?: number;
  /** Group heartbeat, also sent while a long message is handled (default 3 s). */
  readonly heartbeatIntervalMs?: number;
  /** The broker drops a member silent this long (default 30 s). */
  readonly sessionTimeoutMs?: number;
  /** Fetch long-poll; also bounds how long leaving the group waits (default 5 s). */
  readonly maxWaitTimeMs?: number;
}

/**
 * A running stage: one message at a time per partition, committed only after its effects. Its life
 * (start, state, probes, drain and abort on close) is the {@link ConsumerLoop}'s.
 */
export interface StageConsumer extends Omit<ConsumerLoop, "assignment"> {
  readonly state: StageConsumerState;
  /** Partitions of the topic assigned to this member at the last join. */
  readonly partitions: readonly number[];
}

/**
 * A consumer for one stage of the distributed mode: {@link createConsumerLoop} over one topic,
 * handling one message at a time per partition and `partitions` partitions at once (default one: a
 * stage's work, such as an evaluation, already uses the whole LLM), with heartbeats while a long message runs so the member keeps its partitions; transient
 * failures retried in place and poison dead-lettered (see `createMessageProcessor`). If a rebalance
 * takes the partition meanwhile, the commit fails and the message is redelivered elsewhere, which
 * idempotent handlers answer without doing the work twice.
 * @throws IsaraError `invalid_argument` for a bad retry policy or a topic without a dead-letter topic.
 */
export function createStageConsumer<T extends WithRunContext>(
  options: StageConsumerOptions<T>,
): StageConsumer {
  const topic = options.topic.name;
  const retry = checkRetryPolicy(options.retry ?? DEFAULT_RETRY_POLICY);
  const loop = createConsumerLoop({
    kafka: options.kafka,
    groupId: options.groupId,
    processors: new Map([[topic, createStageProcessor({ ...options, retry })]]),
    handling: { mode: "single", partitions: options.partitions ?? 1 },
    logger: options.logger,
    component: "stage-consumer",
    metrics: options.metrics,
    drainTimeoutMs: options.drainTimeoutMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    sessionTimeoutMs: options.sessionTimeoutMs,
    maxWaitTimeMs: options.maxWaitTimeMs,
    readinessText: (assignment) =>
      `joined ${options.groupId} with ${assignment[topic]?.length ?? 0} partition(s) of ${topic}`,
    joinedLogFields: (assignment) => ({ partitions: assignment[topic] ?? [] }),
  });
  return {
    start: () => loop.start(),
    get state() {
      return loop.state;
    },
    get partitions() {
      return loop.assignment[topic] ?? [];
    },
    readiness: () => loop.readiness(),
    liveness: () => loop.liveness(),
    close: () => loop.close(),
  };
}
