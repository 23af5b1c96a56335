/**
 * The training-dispatch service, built from its adapters and never listening itself: `main.ts` (or a
 * test) gives it a Kafka client, an artifact store, a way to open the trainer and the base model,
 * serves `handleHttp` on a port, and calls `start`. Start order: topics, producer, trainer, consumer;
 * each component is registered with the shutdown coordinator as it starts, so shutdown closes them in
 * reverse: the consumer first (intake stops, the running training is aborted after the drain time and
 * left uncommitted, so it is delivered again), then the trainer (any process still running is
 * killed), then the producer.
 */
import type { RequestListener } from "node:http";
import { TOPICS } from "@isara/contracts";
import type { ArtifactStore, Trainer } from "@isara/core";
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
import type { BaseModel } from "./base-model.js";
import { createTrainingMetrics } from "./service-metrics.js";
import { createTrainWorkHandler } from "./train-work-handler.js";
import { createTrainerLogRelay } from "./trainer-log.js";

/** The consumer group of the stage, as the topic catalogue lists it. */
export const TRAINING_DISPATCH_GROUP = "training-dispatch";

/** The topics the service reads and writes, created at start when missing. */
export const TRAINING_DISPATCH_TOPICS = [TOPICS.trainWork, TOPICS.trainDone, TOPICS.trainDeadLetter] as const;

/** What {@link createTrainingDispatchApp} is built from. */
export interface TrainingDispatchAppDeps {
  readonly logger: Logger;
  readonly kafka: Kafka;
  readonly artifacts: ArtifactStore;
  /**
   * Opens the trainer (e.g. `createSubprocessTrainer`), given where its log lines go: the app routes
   * them to the log of the training in progress. Called by `start`; closed on shutdown.
   */
  readonly openTrainer: (onLog: (line: string) => void) => Trainer;
  /** The model this replica trains. */
  readonly baseModel: BaseModel;
  /** Retries of transient failures. */
  readonly retry: RetryPolicy;
  /** How long a running training may go on after shutdown began before it is aborted. */
  readonly drainTimeoutMs: number;
  /** Time each other component gets to close. */
  readonly shutdownTimeoutMs: number;
  /** Longest training run before it is stopped and retried. */
  readonly trainingTimeoutMs?: number;
  /** Export Node process metrics (CPU, memory, GC) too; on in `main.ts`, off in tests. */
  readonly processMetrics?: boolean;
  /** Consumer timings; tests shorten the fetch long-poll so leaving the group is quick. */
  readonly consumer?: Pick<
    StageConsumerOptions<never>,
    "heartbeatIntervalMs" | "sessionTimeoutMs" | "maxWaitTimeMs"
  >;
}

/** The built service. */
export interface TrainingDispatchApp {
  readonly health: HealthRegistry;
  readonly metrics: Metrics;
  /** Serves /healthz, /readyz and /metrics. */
  readonly handleHttp: RequestListener;
  /**
   * Creates the topics, connects the producer, opens the trainer and joins the consumer group,
   * registering each with `shutdown` as it starts, so the caller's `shutdown` closes whatever started.
   * Rejects when a step fails, or with `cancelled` when shutdown began meanwhile.
   */
  start(shutdown: Shutdown): Promise<void>;
}

/** Builds the training-dispatch service (see the module comment). Nothing connects until `start`. */
export function createTrainingDispatchApp(deps: TrainingDispatchAppDeps): TrainingDispatchApp {
  const logger = childLogger(deps.logger, { component: "app" });
  const health = createHealthRegistry();
  const metrics = createMetrics({
    prefix: "isara_",
    defaultLabels: { service: TRAINING_DISPATCH_GROUP },
    processMetrics: deps.processMetrics ?? false,
  });
  const stageMetrics = createStageMetrics(metrics);
  const trainingMetrics = createTrainingMetrics(metrics);
  let consumer: StageConsumer | undefined;
  let started = false;

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
      if (started)
        throw new IsaraError("failed_precondition", "the training-dispatch app was started already");
      started = true;
      const admin = deps.kafka.admin();
      await admin.connect();
      try {
        const topics = await ensureTopics(admin, TRAINING_DISPATCH_TOPICS);
        logger.info(topics, "topics ready");
      } finally {
        await admin.disconnect();
      }

      const producer = createCatalogueProducer(deps.kafka);
      await producer.connect();
      await own(shutdown, "kafka-producer", () => producer.disconnect());

      const trainerLogs = createTrainerLogRelay(childLogger(deps.logger, { component: "trainer" }));
      const trainer = deps.openTrainer(trainerLogs.onLog);
      await own(shutdown, "trainer", () => trainer.close());
      logger.info({ baseModel: deps.baseModel.id, path: deps.baseModel.path }, "trainer ready");

      const stage = createStageConsumer({
        kafka: deps.kafka,
        producer,
        groupId: TRAINING_DISPATCH_GROUP,
        topic: TOPICS.trainWork,
        handle: createTrainWorkHandler({
          artifacts: deps.artifacts,
          trainer,
          baseModel: deps.baseModel,
          metrics: trainingMetrics,
          trainerLogs,
          ...(deps.trainingTimeoutMs === undefined ? {} : { trainingTimeoutMs: deps.trainingTimeoutMs }),
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
