/**
 * The generation service, built from its adapters and never listening itself: `main.ts` (or a test)
 * gives it a Kafka client, an artifact store, the retrieval client and a way to load the LLM, serves
 * `handleHttp` on a port, and calls `start`. Start order: topics, producer, retrieval client, model,
 * consumer; each component is registered with the shutdown coordinator as it starts, so shutdown
 * closes them in reverse (consumer first: intake stops and the work in flight drains or aborts
 * before the model, the retrieval client and the producer it uses go away).
 */
import { type DeadLetter, TOPICS, type TopicSpec } from "@isara/contracts";
import type { ArtifactStore } from "@isara/core";
import {
  createMessageProcessor,
  createStageService,
  deadLetterTopicOf,
  type OutgoingMessage,
  type RetryPolicy,
  type StageHandler,
  type StageMetrics,
  type StageService,
  type StageServiceDeps,
  type WithRunContext,
} from "@isara/kafka-kit";
import type { Logger } from "@isara/kit";
import type { LlmBackend } from "@isara/llm-backends";
import type { Producer } from "kafkajs";
import { createAnswerWorkHandler } from "./answer-work-handler.js";
import { createBatchStageConsumer, type ProcessMessage } from "./batch-stage-consumer.js";
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

/**
 * What {@link createGenerationApp} is built from: the stage's shared deps (drain time: of the work in
 * flight; consumer timings: of the batch consumer) and these.
 */
export interface GenerationAppDeps extends StageServiceDeps {
  readonly artifacts: ArtifactStore;
  /** The retrieval service's demo choice; the app closes it on shutdown. */
  readonly demos: DemoSource;
  /** Loads the model (slow); called by `start` after Kafka is reachable. */
  readonly loadBackend: () => Promise<LlmBackend>;
}

/**
 * The built service: `start` creates the topics, connects the producer, loads the model and joins
 * the consumer group with one batch consumer of both work topics.
 */
export type GenerationApp = StageService;

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
  let backend: LlmBackend | undefined;
  const app = createStageService({
    ...deps,
    name: GENERATION_GROUP,
    topics: GENERATION_TOPICS,
    checks: {
      model: () => {
        if (backend === undefined) throw new Error("the model is not loaded yet");
        return `serving ${backend.llm.modelId}`;
      },
      retrieval: () => deps.demos.readiness(),
    },
    async startComponents({ producer, own, logger, stageMetrics }) {
      await own("retrieval-client", () => deps.demos.close());

      const loaded = await deps.loadBackend();
      await own("llm", () => loaded.llm.close());
      backend = loaded;
      logger.info({ model: loaded.llm.modelId, parallelism: loaded.llm.parallelism }, "model loaded");

      const handlerDeps = {
        artifacts: deps.artifacts,
        backend: loaded,
        demos: deps.demos,
        metrics: generationMetrics,
      };
      const common = { producer, retry: deps.retry, logger: deps.logger, metrics: stageMetrics };
      return createBatchStageConsumer({
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
    },
  });
  const generationMetrics = createGenerationMetrics(app.metrics);
  return app;
}
