/**
 * The evaluation service, built from its adapters and never listening itself: `main.ts` (or a test)
 * gives it a Kafka client, an artifact store and a way to load the LLM, serves `handleHttp` on a
 * port, and calls `start`. Start order: topics, producer, model, judge (when configured), consumer;
 * each component is registered with the shutdown coordinator as it starts, so shutdown closes them in
 * reverse (consumer first: intake stops and the running evaluation drains or aborts before the judge,
 * model and producer it uses go away).
 */
import type { RequestListener } from "node:http";
import { TOPICS } from "@isara/contracts";
import type { ArtifactStore } from "@isara/core";
import { rubricRef } from "@isara/evaluators";
import {
  createCatalogueProducer,
  createStageConsumer,
  createStageMetrics,
  ensureTopics,
  type RetryPolicy,
  type StageConsumer,
  type StageConsumerOptions,
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
import type { Kafka } from "kafkajs";
import { createEvalWorkHandler } from "./eval-work-handler.js";
import type { Judge } from "./judge.js";
import { createEvaluationMetrics } from "./service-metrics.js";

/** The consumer group of the stage, as the topic catalogue lists it. */
export const EVALUATION_GROUP = "evaluation";

/** The topics the service reads and writes, created at start when missing. */
export const EVALUATION_TOPICS = [TOPICS.evalWork, TOPICS.evalDone, TOPICS.evalDeadLetter] as const;

/** What {@link createEvaluationApp} is built from. */
export interface EvaluationAppDeps {
  readonly logger: Logger;
  readonly kafka: Kafka;
  readonly artifacts: ArtifactStore;
  /** Loads the model (slow); called by `start` after Kafka is reachable. */
  readonly loadBackend: () => Promise<LlmBackend>;
  /**
   * Opens the judge that scores every answer beside the reference metric; called by `start` after
   * the model loaded, and its chat model closed on shutdown. Leave out for reference metrics only.
   */
  readonly openJudge?: () => Judge;
  /** Retries of transient failures. */
  readonly retry: RetryPolicy;
  /** How long a running evaluation may finish on shutdown before it is aborted. */
  readonly drainTimeoutMs: number;
  /** Time each other component gets to close. */
  readonly shutdownTimeoutMs: number;
  /** Export Node process metrics (CPU, memory, GC) too; on in `main.ts`, off in tests. */
  readonly processMetrics?: boolean;
  /** Consumer timings; tests shorten the fetch long-poll so leaving the group is quick. */
  readonly consumer?: Pick<
    StageConsumerOptions<never>,
    "heartbeatIntervalMs" | "sessionTimeoutMs" | "maxWaitTimeMs"
  >;
}

/** The built service. */
export interface EvaluationApp {
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

/** Builds the evaluation service (see the module comment). Nothing connects until `start`. */
export function createEvaluationApp(deps: EvaluationAppDeps): EvaluationApp {
  const logger = childLogger(deps.logger, { component: "app" });
  const health = createHealthRegistry();
  const metrics = createMetrics({
    prefix: "isara_",
    defaultLabels: { service: EVALUATION_GROUP },
    processMetrics: deps.processMetrics ?? false,
  });
  const stageMetrics = createStageMetrics(metrics);
  const evaluationMetrics = createEvaluationMetrics(metrics);
  let backend: LlmBackend | undefined;
  let consumer: StageConsumer | undefined;
  let started = false;

  health.register("model", () => {
    if (backend === undefined) throw new Error("the model is not loaded yet");
    return `serving ${backend.llm.modelId}`;
  });
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
      if (started) throw new IsaraError("failed_precondition", "the evaluation app was started already");
      started = true;
      const admin = deps.kafka.admin();
      await admin.connect();
      try {
        const topics = await ensureTopics(admin, EVALUATION_TOPICS);
        logger.info(topics, "topics ready");
      } finally {
        await admin.disconnect();
      }

      const producer = createCatalogueProducer(deps.kafka);
      await producer.connect();
      await own(shutdown, "kafka-producer", () => producer.disconnect());

      const loaded = await deps.loadBackend();
      await own(shutdown, "llm", () => loaded.llm.close());
      backend = loaded;
      logger.info({ model: loaded.llm.modelId, parallelism: loaded.llm.parallelism }, "model loaded");

      const judge = deps.openJudge?.();
      if (judge !== undefined) {
        await own(shutdown, "judge", () => judge.chat.close());
        logger.info(
          {
            judge: judge.chat.modelId,
            parallelism: judge.chat.parallelism,
            rubrics: judge.rubrics.map(rubricRef),
          },
          "judge ready: answers are also scored by the judge",
        );
      }

      const stage = createStageConsumer({
        kafka: deps.kafka,
        producer,
        groupId: EVALUATION_GROUP,
        topic: TOPICS.evalWork,
        handle: createEvalWorkHandler({
          artifacts: deps.artifacts,
          backend: loaded,
          ...(judge === undefined ? {} : { judge }),
          metrics: evaluationMetrics,
        }),
        logger: deps.logger,
        metrics: stageMetrics,
        retry: deps.retry,
        drainTimeoutMs: deps.drainTimeoutMs,
        ...deps.consumer,
      });
      await own(
        shutdown,
        "kafka-consumer",
        () => stage.close(),
        deps.drainTimeoutMs + deps.shutdownTimeoutMs,
      );
      consumer = stage;
      await stage.start();
    },
  };
}
