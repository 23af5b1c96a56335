/**
 * The generation service, built from its adapters and never listening itself: `main.ts` (or a test)
 * gives it a Kafka client, an artifact store, the retrieval client and a way to load the LLM, serves
 * `handleHttp` on a port, and calls `start`. Start order: topics, producer, retrieval client, model,
 * consumer; each component is registered with the shutdown coordinator as it starts, so shutdown
 * closes them in reverse (consumer first: intake stops and the work in flight drains or aborts
 * before the model, the retrieval client and the producer it uses go away).
 */
import type { RequestListener } from "node:http";
import { type DeadLetter, TOPICS, type TopicSpec } from "@isara/contracts";
import type { ArtifactStore } from "@isara/core";
import {
  createCatalogueProducer,
  createMessageProcessor,
  createStageMetrics,
  deadLetterTopicOf,
  ensureTopics,
  type OutgoingMessage,
  type RetryPolicy,
  type StageHandler,
  type StageMetrics,
  type WithRunContext,
} from "@isara/kafka-kit";
import {
  type CloseFn,
  childLogger,
  createHealthRegistry,
  createMetrics,
  createProbeListener,
  type HealthRegistry,
  IsaraError,
  type Logger,
  type Metrics,
  type Shutdown,
} from "@isara/kit";
import type { LlmBackend } from "@isara/llm-backends";
import type { Kafka, Producer } from "kafkajs";
import { createAnswerWorkHandler } from "./answer-work-handler.js";
import {
  type BatchStageConsumer,
  type BatchStageConsumerOptions,
  createBatchStageConsumer,
  type ProcessMessage,
} from "./batch-stage-consumer.js";
import type { DemoSource } from "./demo-source.js";
import { createPromptWorkHandler } from "./prompt-work-handler.js";
import { createGenerationMetrics } from "./service-metrics.js";

/** The consumer group of the stage, as the topic catalogue lists it. */
export const GENERATION_GROUP = "generation";

/** The topics the service reads and writes, created at start when missing. */
export const GENERATION_TOPICS = [
  TOPICS.promptWork,
  TOPICS.answerWork,
  TOPICS.promptWritten,
  TOPICS.answerWritten,
  TOPICS.promptsDeadLetter,
  TOPICS.answersDeadLetter,
] as const;

/** What {@link createGenerationApp} is built from. */
export interface GenerationAppDeps {
  readonly logger: Logger;
  readonly kafka: Kafka;
  readonly artifacts: ArtifactStore;
  /** The retrieval service's demo choice; the app closes it on shutdown. */
  readonly demos: DemoSource;
  /** Loads the model (slow); called by `start` after Kafka is reachable. */
  readonly loadBackend: () => Promise<LlmBackend>;
  /** Retries of transient failures. */
  readonly retry: RetryPolicy;
  /** How long the work in flight may finish on shutdown before it is aborted. */
  readonly drainTimeoutMs: number;
  /** Time each other component gets to close. */
  readonly shutdownTimeoutMs: number;
  /** Export Node process metrics (CPU, memory, GC) too; on in `main.ts`, off in tests. */
  readonly processMetrics?: boolean;
  /** Consumer timings; tests shorten the fetch long-poll so leaving the group is quick. */
  readonly consumer?: Pick<
    BatchStageConsumerOptions,
    "heartbeatIntervalMs" | "sessionTimeoutMs" | "maxWaitTimeMs"
  >;
}

/** The built service. */
export interface GenerationApp {
  readonly health: HealthRegistry;
  readonly metrics: Metrics;
  /** Serves /healthz, /readyz and /metrics. */
  readonly handleHttp: RequestListener;
  /**
   * Creates the topics, connects the producer, loads the model and joins the consumer group,
   * registering each with `shutdown` as it starts, so the caller's `shutdown` closes whatever started.
   * Rejects when a step fails, or with `cancelled` when shutdown began meanwhile.
   */
  start(shutdown: Shutdown): Promise<void>;
}

/** Sends records grouped by topic in one request; resolves once the broker acknowledged all of them. */
async function publish(producer: Producer, messages: readonly OutgoingMessage[]): Promise<void> {
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const m of messages) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
  await producer.sendBatch({
    topicMessages: [...byTopic].map(([topic, list]) => ({
      topic,
      messages: list.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
    })),
  });
}

/** The processor of one work topic: kafka-kit's delivery rules around `handle`. */
function processorFor<T extends WithRunContext>(
  topic: TopicSpec<T>,
  handle: StageHandler<T>,
  common: {
    readonly producer: Producer;
    readonly retry: RetryPolicy;
    readonly logger: Logger;
    readonly metrics: StageMetrics;
  },
): [string, ProcessMessage] {
  const deadLetterTopic: TopicSpec<DeadLetter> = deadLetterTopicOf(topic);
  return [
    topic.name,
    createMessageProcessor({
      topic,
      deadLetterTopic,
      groupId: GENERATION_GROUP,
      handle,
      publish: (messages) => publish(common.producer, messages),
      retry: common.retry,
      logger: common.logger,
      metrics: common.metrics,
    }),
  ];
}

/** Builds the generation service (see the module comment). Nothing connects until `start`. */
export function createGenerationApp(deps: GenerationAppDeps): GenerationApp {
  const logger = childLogger(deps.logger, { component: "app" });
  const health = createHealthRegistry();
  const metrics = createMetrics({
    prefix: "isara_",
    defaultLabels: { service: GENERATION_GROUP },
    processMetrics: deps.processMetrics ?? false,
  });
  const stageMetrics = createStageMetrics(metrics);
  const generationMetrics = createGenerationMetrics(metrics);
  let backend: LlmBackend | undefined;
  let consumer: BatchStageConsumer | undefined;
  let started = false;

  health.register("model", () => {
    if (backend === undefined) throw new Error("the model is not loaded yet");
    return `serving ${backend.llm.modelId}`;
  });
  health.register("retrieval", () => deps.demos.readiness());
  health.register("kafka-consumer", () => {
    if (consumer === undefined) throw new Error("the consumer has not started yet");
    return consumer.readiness();
  });
  health.register("kafka-consumer-alive", () => consumer?.liveness() ?? true, { kind: "liveness" });

  /** Registers a started component; if shutdown began meanwhile, closes it now and stops starting. */
  async function own(shutdown: Shutdown, name: string, close: CloseFn, timeoutMs?: number): Promise<void> {
    try {
      shutdown.register(name, close, timeoutMs === undefined ? undefined : { timeoutMs });
    } catch (err) {
      await close();
      throw new IsaraError("cancelled", `shutdown began while ${name} was starting`, undefined, {
        cause: err,
      });
    }
  }

  return {
    health,
    metrics,
    handleHttp: createProbeListener({ health, metrics, logger: deps.logger }),
    async start(shutdown) {
      if (started) throw new IsaraError("failed_precondition", "the generation app was started already");
      started = true;
      const admin = deps.kafka.admin();
      await admin.connect();
      try {
        const topics = await ensureTopics(admin, GENERATION_TOPICS);
        logger.info(topics, "topics ready");
      } finally {
        await admin.disconnect();
      }

      const producer = createCatalogueProducer(deps.kafka);
      await producer.connect();
      await own(shutdown, "kafka-producer", () => producer.disconnect());
      await own(shutdown, "retrieval-client", () => deps.demos.close());

      const loaded = await deps.loadBackend();
      await own(shutdown, "llm", () => loaded.llm.close());
      backend = loaded;
      logger.info({ model: loaded.llm.modelId, parallelism: loaded.llm.parallelism }, "model loaded");

      const handlerDeps = {
        artifacts: deps.artifacts,
        backend: loaded,
        demos: deps.demos,
        metrics: generationMetrics,
      };
      const common = { producer, retry: deps.retry, logger: deps.logger, metrics: stageMetrics };
      const batchConsumer = createBatchStageConsumer({
        kafka: deps.kafka,
        groupId: GENERATION_GROUP,
        processors: new Map([
          processorFor(TOPICS.promptWork, createPromptWorkHandler(handlerDeps), common),
          processorFor(TOPICS.answerWork, createAnswerWorkHandler(handlerDeps), common),
        ]),
        concurrency: loaded.llm.parallelism,
        logger: deps.logger,
        metrics: stageMetrics,
        inFlight: generationMetrics.inFlight,
        drainTimeoutMs: deps.drainTimeoutMs,
        ...deps.consumer,
      });
      await own(
        shutdown,
        "kafka-consumer",
        () => batchConsumer.close(),
        deps.drainTimeoutMs + deps.shutdownTimeoutMs,
      );
      consumer = batchConsumer;
      await batchConsumer.start();
    },
  };
}
