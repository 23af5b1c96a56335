/**
 * The filtering service, built from its adapters and never listening itself: `main.ts` (or a test)
 * gives it a Kafka client, an artifact store and a retrieval client, serves `handleHttp` on a port,
 * and calls `start`. Start order: topics, producer, retrieval client, consumer; each component is
 * registered with the shutdown coordinator as it starts, so shutdown closes them in reverse (consumer
 * first: intake stops and the running pass drains or aborts before the clients it uses go away).
 */
import type { RequestListener } from "node:http";
import { TOPICS } from "@isara/contracts";
import type { ArtifactStore } from "@isara/core";
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
import type { Kafka } from "kafkajs";
import { createFilterWorkHandler } from "./filter-work-handler.js";
import type { RetrievalClient } from "./retrieval-client.js";
import { createFilteringMetrics } from "./service-metrics.js";

/** The consumer group of the stage, as the topic catalogue lists it. */
export const FILTERING_GROUP = "filtering";

/** The topics the service reads and writes, created at start when missing. */
export const FILTERING_TOPICS = [TOPICS.filterWork, TOPICS.sampleJudged, TOPICS.filterDeadLetter] as const;

/** What {@link createFilteringApp} is built from. */
export interface FilteringAppDeps {
  readonly logger: Logger;
  readonly kafka: Kafka;
  readonly artifacts: ArtifactStore;
  /** The retrieval service's client; the app closes it on shutdown. */
  readonly retrieval: RetrievalClient;
  /** Retries of transient failures. */
  readonly retry: RetryPolicy;
  /** How long a running pass may finish on shutdown before it is aborted. */
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
export interface FilteringApp {
  readonly health: HealthRegistry;
  readonly metrics: Metrics;
  /** Serves /healthz, /readyz and /metrics. */
  readonly handleHttp: RequestListener;
  /**
   * Creates the topics, connects the producer and joins the consumer group, registering each
   * component with `shutdown` as it starts, so the caller's `shutdown` closes whatever started.
   * Rejects when a step fails, or with `cancelled` when shutdown began meanwhile.
   */
  start(shutdown: Shutdown): Promise<void>;
}

/** Builds the filtering service (see the module comment). Nothing connects until `start`. */
export function createFilteringApp(deps: FilteringAppDeps): FilteringApp {
  const logger = childLogger(deps.logger, { component: "app" });
  const health = createHealthRegistry();
  const metrics = createMetrics({
    prefix: "isara_",
    defaultLabels: { service: FILTERING_GROUP },
    processMetrics: deps.processMetrics ?? false,
  });
  const stageMetrics = createStageMetrics(metrics);
  const filteringMetrics = createFilteringMetrics(metrics);
  let consumer: StageConsumer | undefined;
  let started = false;

  health.register("retrieval", () => deps.retrieval.readiness());
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
      if (started) throw new IsaraError("failed_precondition", "the filtering app was started already");
      started = true;
      const admin = deps.kafka.admin();
      await admin.connect();
      try {
        const topics = await ensureTopics(admin, FILTERING_TOPICS);
        logger.info(topics, "topics ready");
      } finally {
        await admin.disconnect();
      }

      const producer = createCatalogueProducer(deps.kafka);
      await producer.connect();
      await own(shutdown, "kafka-producer", () => producer.disconnect());
      await own(shutdown, "retrieval-client", () => deps.retrieval.close());

      const stage = createStageConsumer({
        kafka: deps.kafka,
        producer,
        groupId: FILTERING_GROUP,
        topic: TOPICS.filterWork,
        handle: createFilterWorkHandler({
          artifacts: deps.artifacts,
          retrieval: deps.retrieval,
          metrics: filteringMetrics,
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
