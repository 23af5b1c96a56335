/**
 * The controller's Kafka intake: one consumer in group `controller` over the five result topics and
 * the five work stages' dead-letter topics. Each message goes through kafka-kit's message processor
 * (decode, handle, retry transient failures in place, dead-letter poison to `isara.controller.dlq`
 * with the reason) and its offset is committed only after the handler's effects — the slot durably
 * recorded, the phase completed and the next work published. Partitions are handled concurrently (up
 * to `concurrency`), so a run waiting on its retries never holds up runs on other partitions; the
 * reconciler's per-run queue keeps one run's messages from different topics in order.
 */
import { type RunContext, TOPIC_LIST, TOPICS, type TopicSpec } from "@isara/contracts";
import {
  type CrashRestart,
  createMessageProcessor,
  kafkaFailure,
  type MessageOutcome,
  type ReceivedMessage,
  type RetryPolicy,
  restartAfterCrash,
  type StageMetrics,
} from "@isara/kafka-kit";
import { IsaraError, type Logger } from "@isara/kit";
import type { Consumer, EachMessagePayload, Kafka } from "kafkajs";
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

/** The running intake. */
export interface ResultConsumer {
  /** Connects, subscribes (from the beginning for a new group) and joins the group. */
  start(): Promise<void>;
  /** Readiness: passes once the member joined the group. */
  readiness(): string;
  /** Liveness: fails only when `start` failed; a later crash is restarted (see `restartAfterCrash`). */
  liveness(): boolean;
  /** Stops intake, drains messages in flight (then aborts them, uncommitted), leaves the group. */
  close(): Promise<void>;
}

type Process = (message: ReceivedMessage, signal: AbortSignal) => Promise<MessageOutcome>;

/** The topics the controller reads, from the catalogue: the result topics and the stages' dead-letter topics. */
export const CONTROLLER_INPUT_TOPICS: readonly TopicSpec<unknown>[] = TOPIC_LIST.filter((t) =>
  t.consumers.includes(CONTROLLER_GROUP),
);

/** Makes the intake (see the module comment); nothing connects until `start`. */
export function createResultConsumer(options: ResultConsumerOptions): ResultConsumer {
  const log = options.logger.child({ component: "result-consumer", groupId: CONTROLLER_GROUP });
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;

  function processorFor<T extends { context?: RunContext | undefined }>(
    topic: TopicSpec<T>,
    intake: (message: T) => Incoming,
  ): Process {
    return createMessageProcessor<T>({
      topic,
      deadLetterTopic: TOPICS.controllerDeadLetter,
      groupId: CONTROLLER_GROUP,
      publish: options.publish,
      retry: options.retry,
      logger: options.logger,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      handle: async (message, job) => {
        const incoming = intake(message);
        const outcome = await options.apply(incoming);
        options.onOutcome?.(topic.name, incoming, outcome);
        const level = outcome === "recorded" || outcome === "failed" ? "debug" : "info";
        if (outcome !== "recorded") job.logger[level]({ outcome }, `result not counted: ${outcome}`);
        return [];
      },
    });
  }

  const processors = new Map<string, Process>([
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
  const topicNames = [...processors.keys()];
  const uncovered = CONTROLLER_INPUT_TOPICS.filter((t) => !processors.has(t.name));
  if (uncovered.length > 0) {
    throw new IsaraError(
      "internal",
      `the controller has no intake for ${uncovered.map((t) => t.name).join(", ")}`,
    );
  }

  let consumer: Consumer | undefined;
  let recovery: CrashRestart | undefined;
  let state: "idle" | "joining" | "joined" | "rebalancing" | "stopped" | "crashed" = "idle";
  let stopping = false;
  const inFlight = new Map<Promise<void>, AbortController>();
  let closing: Promise<void> | undefined;

  async function onMessage({ topic, partition, message }: EachMessagePayload): Promise<void> {
    if (stopping) return;
    const process = processors.get(topic);
    if (process === undefined) return;
    const abort = new AbortController();
    const run = (async () => {
      const outcome = await process({ ...message, topic, partition }, abort.signal);
      options.metrics?.messages.inc({ topic, outcome });
      if (outcome === "interrupted") return;
      const offset = (BigInt(message.offset) + 1n).toString();
      try {
        await consumer?.commitOffsets([{ topic, partition, offset }]);
      } catch (err) {
        log.warn(
          { err: kafkaFailure(err), topic, partition },
          "commit failed; the message will come again and count once",
        );
      }
    })();
    inFlight.set(run, abort);
    try {
      await run;
    } finally {
      inFlight.delete(run);
    }
  }

  async function close(): Promise<void> {
    stopping = true;
    const current = consumer;
    if (current === undefined) return;
    try {
      current.pause(topicNames.map((topic) => ({ topic })));
    } catch {
      // not running yet: nothing is fetched anyway
    }
    const running = [...inFlight];
    if (running.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        Promise.all(running.map(([p]) => p)).then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), drainTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (!drained) {
        log.warn(
          { drainTimeoutMs },
          "messages still running at shutdown; aborting them (they will be redelivered)",
        );
        for (const [, abort] of running)
          abort.abort(new IsaraError("cancelled", "the controller is shutting down"));
        await Promise.allSettled(running.map(([p]) => p));
      }
    }
    await recovery?.stop();
    await current.disconnect();
    state = "stopped";
  }

  return {
    async start() {
      if (consumer !== undefined)
        throw new IsaraError("failed_precondition", "the result consumer was started already");
      const c = options.kafka.consumer({
        groupId: CONTROLLER_GROUP,
        allowAutoTopicCreation: false,
        sessionTimeout: options.sessionTimeoutMs ?? 30_000,
        heartbeatInterval: options.heartbeatIntervalMs ?? 3000,
        maxWaitTimeInMs: options.maxWaitTimeMs ?? 5000,
      });
      consumer = c;
      c.on(c.events.GROUP_JOIN, (e) => {
        state = "joined";
        log.info({ assignment: e.payload.memberAssignment }, "joined the consumer group");
      });
      c.on(c.events.REBALANCING, () => {
        state = "rebalancing";
      });
      c.on(c.events.CRASH, (e) => {
        // Restarted either way: by kafkajs itself, or in place by restartAfterCrash.
        state = "joining";
        log.error({ err: e.payload.error, restart: e.payload.restart }, "the consumer crashed");
      });
      state = "joining";
      try {
        await c.connect();
        await c.subscribe({ topics: topicNames, fromBeginning: true });
        const run = () =>
          c.run({
            autoCommit: false,
            partitionsConsumedConcurrently: options.concurrency ?? 12,
            eachMessage: onMessage,
          });
        recovery = restartAfterCrash({ consumer: c, run, logger: log });
        await run();
      } catch (err) {
        state = "crashed";
        throw kafkaFailure(err);
      }
    },
    readiness() {
      if (state !== "joined") throw new Error(`consumer group ${CONTROLLER_GROUP} is ${state}`);
      return `joined ${CONTROLLER_GROUP} over ${topicNames.length} topics`;
    },
    liveness() {
      return state !== "crashed";
    },
    close() {
      closing ??= close();
      return closing;
    },
  };
}
