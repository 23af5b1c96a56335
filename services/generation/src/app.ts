/**
 * The generation service, built from its adapters and never listening itself: `main.ts` (or a test)
 * gives it a Kafka client, an artifact store, the retrieval client and a way to load the LLM, serves
 * `handleHttp` on a port, and calls `start`. Start order: topics, producer, retrieval client, model,
 * consumer; each component is registered with the shutdown coordinator as it starts, so shutdown
 * closes them in reverse (consumer first: intake stops and the work in flight drains or aborts
 * before the model, the retrieval client and the producer it uses go away).
 */
import { createRunDomains, TOPICS } from "@isara/contracts";
import type { ArtifactStore } from "@isara/core";
import {
  createConsumerLoop,
  createStageProcessor,
  createStageService,
  type StageService,
  type StageServiceDeps,
} from "@isara/kafka-kit";
import type { LlmBackend } from "@isara/llm-backends";
import { createAnswerWorkHandler } from "./answer-work-handler.js";
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
        // One snapshot cache for both topics: a run's settings are read once.
        domains: createRunDomains(deps.artifacts),
        backend: loaded,
        demos: deps.demos,
        metrics: generationMetrics,
      };
      const common = {
        producer,
        groupId: GENERATION_GROUP,
        retry: deps.retry,
        logger: deps.logger,
        metrics: stageMetrics,
      };
      // Both work topics in one group, a fetched batch worked on concurrently up to the LLM's
      // parallelism: one slot is one short completion and the LLM serves several at once.
      return createConsumerLoop({
        kafka: deps.kafka,
        groupId: GENERATION_GROUP,
        processors: new Map([
          [
            TOPICS.promptWork.name,
            createStageProcessor({
              ...common,
              topic: TOPICS.promptWork,
              handle: createPromptWorkHandler(handlerDeps),
            }),
          ],
          [
            TOPICS.answerWork.name,
            createStageProcessor({
              ...common,
              topic: TOPICS.answerWork,
              handle: createAnswerWorkHandler(handlerDeps),
            }),
          ],
        ]),
        handling: { mode: "batch", concurrency: loaded.llm.parallelism },
        logger: deps.logger,
        component: "batch-consumer",
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
