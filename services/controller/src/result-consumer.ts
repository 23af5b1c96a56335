/**
 * The controller's Kafka intake: one consumer in group `controller` over the five result topics and
 * the five work stages' dead-letter topics. Each message goes through kafka-kit's message processor
 * (decode, handle, retry transient failures in place, dead-letter poison to `isara.controller.dlq`
 * with the reason) and its offset is committed only after the handler's effects — the slot durably
 * recorded, the phase completed and the next work published. Partitions are handled concurrently (up
 * to `concurrency`), so a run waiting on its retries never holds up runs on other partitions; the
 * reconciler's per-run queue keeps one run's messages from different topics in order. The loop itself
 * (lifecycle, commits, drain, crash restart) is kafka-kit's `createConsumerLoop`.
 */
import { type RunContext, TOPIC_LIST, TOPICS, type TopicSpec } from "@isara/contracts";
import {
  type ConsumerLoop,
  createConsumerLoop,
  createMessageProcessor,
  type ProcessMessage,
  type RetryPolicy,
  type StageJob,
  type StageMetrics,
} from "@isara/kafka-kit";
import { IsaraError, isIsaraError, type Logger } from "@isara/kit";
import type { Kafka } from "kafkajs";
import type { ApplyOutcome } from "./reconciler.js";
import {
  fromAnswerWritten,
  fromDeadLetter,
  fromEvalDone,
  fromPromptWritten,
  fromSampleJudged,
  fromTrainDone,
  type Incoming,
} from "./result-intake.js";
import type { Publish } from "./work-records.js";

/** The consumer group of the controller, as the catalogue lists it. */
export const CONTROLLER_GROUP = "controller";

/** Applies one checked result to its run (the reconciler's `apply`). */
export type ApplyIncoming = (incoming: Incoming) => Promise<ApplyOutcome>;

/** What {@link createResultConsumer} needs. */
export interface ResultConsumerOptions {
  readonly kafka: Kafka;
  /** Sends dead letters (and nothing else: results are applied, not forwarded). */
  readonly publish: Publish;
  readonly apply: ApplyIncoming;
  /**
   * Told of a result that fails for good (it is dead-lettered): the reconciler's `poisoned`, which
   * fails the run it names with the reason.
   */
  readonly onPoison?: (
    context: RunContext | undefined,
    source: StageJob["source"],
    err: IsaraError,
  ) => Promise<ApplyOutcome>;
  readonly logger: Logger;
  readonly retry: RetryPolicy;
  readonly metrics?: StageMetrics;
  /** Called with each message's outcome for its run, for the controller's metrics. */
  readonly onOutcome?: (topic: string, incoming: Incoming, outcome: ApplyOutcome) => void;
  /** Partitions handled at once (default 12). */
  readonly concurrency?: number;
  /** On close, how long messages in flight may take before they are aborted (default 10 s). */
  readonly drainTimeoutMs?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly maxWaitTimeMs?: number;
}

/**
 * The running intake: kafka-kit's consumer loop (start, probes, and a close that stops intake, drains
 * messages in flight, then aborts them uncommitted, and leaves the group).
 */
export type ResultConsumer = Pick<ConsumerLoop, "start" | "readiness" | "liveness" | "close">;

/** The topics the controller reads, from the catalogue: the result topics and the stages' dead-letter topics. */
export const CONTROLLER_INPUT_TOPICS: readonly TopicSpec<unknown>[] = TOPIC_LIST.filter((t) =>
  t.consumers.includes(CONTROLLER_GROUP),
);

/** Makes the intake (see the module comment); nothing connects until `start`. */
export function createResultConsumer(options: ResultConsumerOptions): ResultConsumer {
  function processorFor<T extends { context?: RunContext | undefined }>(
    topic: TopicSpec<T>,
    intake: (message: T) => Incoming,
  ): ProcessMessage {
    return createMessageProcessor<T>({
      topic,
      deadLetterTopic: TOPICS.controllerDeadLetter,
      groupId: CONTROLLER_GROUP,
      publish: options.publish,
      retry: options.retry,
      logger: options.logger,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      handle: async (message, job) => {
        try {
          const incoming = intake(message);
          const outcome = await options.apply(incoming);
          options.onOutcome?.(topic.name, incoming, outcome);
          const level = outcome === "recorded" || outcome === "failed" ? "debug" : "info";
          if (outcome !== "recorded") job.logger[level]({ outcome }, `result not counted: ${outcome}`);
          return [];
        } catch (err) {
          // Poison (not retried): it is dead-lettered below, and the run it names fails with the reason.
          if (isIsaraError(err) && !err.retryable && options.onPoison !== undefined) {
            const outcome = await options.onPoison(message.context, job.source, err);
            if (outcome === "failed")
              job.logger.error({ err }, "a result could not be applied; its run failed");
          }
          throw err;
        }
      },
    });
  }

  const processors = new Map<string, ProcessMessage>([
    [TOPICS.promptWritten.name, processorFor(TOPICS.promptWritten, fromPromptWritten)],
    [TOPICS.answerWritten.name, processorFor(TOPICS.answerWritten, fromAnswerWritten)],
    [TOPICS.sampleJudged.name, processorFor(TOPICS.sampleJudged, fromSampleJudged)],
    [TOPICS.trainDone.name, processorFor(TOPICS.trainDone, fromTrainDone)],
    [TOPICS.evalDone.name, processorFor(TOPICS.evalDone, fromEvalDone)],
    [TOPICS.promptsDeadLetter.name, processorFor(TOPICS.promptsDeadLetter, fromDeadLetter)],
    [TOPICS.answersDeadLetter.name, processorFor(TOPICS.answersDeadLetter, fromDeadLetter)],
    [TOPICS.filterDeadLetter.name, processorFor(TOPICS.filterDeadLetter, fromDeadLetter)],
    [TOPICS.trainDeadLetter.name, processorFor(TOPICS.trainDeadLetter, fromDeadLetter)],
    [TOPICS.evalDeadLetter.name, processorFor(TOPICS.evalDeadLetter, fromDeadLetter)],
  ]);
  const uncovered = CONTROLLER_INPUT_TOPICS.filter((t) => !processors.has(t.name));
  if (uncovered.length > 0) {
    throw new IsaraError(
      "internal",
      `the controller has no intake for ${uncovered.map((t) => t.name).join(", ")}`,
    );
  }

  return createConsumerLoop({
    kafka: options.kafka,
    groupId: CONTROLLER_GROUP,
    processors,
    // Partitions concurrently; heartbeats between messages only, as the controller has always sent them.
    handling: { mode: "single", partitions: options.concurrency ?? 12, heartbeatWhileRunning: false },
    logger: options.logger,
    component: "result-consumer",
    metrics: options.metrics,
    drainTimeoutMs: options.drainTimeoutMs,
    sessionTimeoutMs: options.sessionTimeoutMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    maxWaitTimeMs: options.maxWaitTimeMs,
    readinessText: () => `joined ${CONTROLLER_GROUP} over ${processors.size} topics`,
    joinedLogFields: (assignment) => ({ assignment }),
  });
}
