import type { RequestListener } from "node:http";
import type { TopicSpec } from "@isara/contracts";
import {
  type CloseFn,
  childLogger,
  createHealthRegistry,
  createMetrics,
  createProbeListener,
  type HealthCheck,
  type HealthRegistry,
  IsaraError,
  type Logger,
  type Metrics,
  type Shutdown,
} from "@isara/kit";
import type { Kafka, Producer } from "kafkajs";
import { ensureTopicsWhenBrokerIsUp, untilBrokerIsBack } from "./broker-wait.js";
import type { StageHandler } from "./message-processor.js";
import type { WithRunContext } from "./outgoing-message.js";
import { createCatalogueProducer } from "./producer.js";
import type { RetryPolicy } from "./retry-policy.js";
import { createStageConsumer, type StageConsumer, type StageConsumerOptions } from "./stage-consumer.js";
import { createStageMetrics, type StageMetrics } from "./stage-metrics.js";

/** Consumer timings a test shortens (the fetch long-poll above all) so that leaving the group is quick. */
export type StageConsumerTimings = Pick<
  StageConsumerOptions<never>,
  "heartbeatIntervalMs" | "sessionTimeoutMs" | "maxWaitTimeMs"
>;

/** What every stage service's app is built from, besides its own adapters. */
export interface StageServiceDeps {
  readonly logger: Logger;
  readonly kafka: Kafka;
  /** Retries of transient failures. */
  readonly retry: RetryPolicy;
  /** How long the work in flight may finish on shutdown before it is aborted. */
  readonly drainTimeoutMs: number;
  /** Time each other component gets to close. */
  readonly shutdownTimeoutMs: number;
  /** Export Node process metrics (CPU, memory, GC) too; on in `main.ts`, off in tests. */
  readonly processMetrics?: boolean;
  /** Consumer timings; tests shorten the fetch long-poll so leaving the group is quick. */
  readonly consumer?: StageConsumerTimings;
  /** Partitions the stage consumer handles at once (STAGE_CONCURRENCY; default 1). */
  readonly concurrency?: number;
}

/** The consumer a stage service runs: kafka-kit's stage consumer, or another `createConsumerLoop` (generation's batch consumer). */
export type ServiceConsumer = Pick<StageConsumer, "start" | "close" | "readiness" | "liveness">;

/** What a service's `startComponents` gets: the connected producer and a way to own what it starts. */
export interface StageStartContext {
  /** The catalogue producer, connected; closed on shutdown after everything started later. */
  readonly producer: Producer;
  /** The app's logger (`component: app`). */
  readonly logger: Logger;
  /** The stage metrics to hand to the consumer (messages handled, retries, dead letters, lag). */
  readonly stageMetrics: StageMetrics;
  /**
   * Registers a started component with shutdown, which closes it in reverse start order. If
   * shutdown began meanwhile, closes it at once and rejects with `cancelled`, so start stops.
   */
  own(name: string, close: CloseFn): Promise<void>;
  /**
   * The usual consumer: kafka-kit's stage consumer of `topic` in the service's group, publishing
   * through `producer`, with the service's retry policy, drain time, timings and stage metrics.
   */
  stageConsumer<T extends WithRunContext>(topic: TopicSpec<T>, handle: StageHandler<T>): StageConsumer;
}

/** What {@link createStageService} is built from. */
export interface StageServiceOptions extends StageServiceDeps {
  /** The consumer group, also the `service` label of every metric, e.g. `"filtering"`. */
  readonly name: string;
  /** The topics the service reads and writes, created at start when missing. */
  readonly topics: readonly TopicSpec<unknown>[];
  /** Readiness checks of the service's own dependencies (model, retrieval…), reported before the consumer's. */
  readonly checks?: Readonly<Record<string, HealthCheck>>;
  /**
   * Starts the service's own components after the producer (owning each as it starts) and returns its
   * consumer, built but not started: the stage starts it last and closes it first.
   */
  readonly startComponents: (context: StageStartContext) => Promise<ServiceConsumer>;
}

/** A built stage service; `main.ts` (or a test) serves `handleHttp` and calls `start`. */
export interface StageService {
  readonly health: HealthRegistry;
  readonly metrics: Metrics;
  /** Serves /healthz, /readyz and /metrics. */
  readonly handleHttp: RequestListener;
  /**
   * Creates the topics, connects the producer, starts the service's components and joins the
   * consumer group, registering each with `shutdown` as it starts, so the caller's `shutdown` closes
   * whatever started, in reverse. While the broker is away it waits (see `untilBrokerIsBack`).
   * Rejects when a step fails, or with `cancelled` when shutdown began meanwhile; a second call
   * rejects with `failed_precondition`.
   */
  start(shutdown: Shutdown): Promise<void>;
}

/**
 * Builds the skeleton every Kafka stage service shares, so that each service only says what it
 * starts and which consumer it runs. Promises: metrics prefixed `isara_` and labelled with the
 * service; readiness `kafka-consumer` (fails until the consumer joined) and liveness
 * `kafka-consumer-alive`; start order topics, producer, the service's components, consumer; shutdown
 * closes the consumer first (given the drain time on top of the shutdown time), so intake stops and
 * the work in flight drains or aborts before the clients it uses go away. Nothing connects until `start`.
 */
export function createStageService(options: StageServiceOptions): StageService {
  const logger = childLogger(options.logger, { component: "app" });
  const health = createHealthRegistry();
  const metrics = createMetrics({
    prefix: "isara_",
    defaultLabels: { service: options.name },
    processMetrics: options.processMetrics ?? false,
  });
  const stageMetrics = createStageMetrics(metrics);
  let consumer: ServiceConsumer | undefined;
  let started = false;

  for (const [name, check] of Object.entries(options.checks ?? {})) health.register(name, check);
  health.register("kafka-consumer", () => {
    if (consumer === undefined) throw new Error("the consumer has not started yet");
    return consumer.readiness();
  });
  health.register("kafka-consumer-alive", () => consumer?.liveness() ?? true, { kind: "liveness" });

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
    handleHttp: createProbeListener({ health, metrics, logger: options.logger }),
    async start(shutdown) {
      if (started) throw new IsaraError("failed_precondition", `the ${options.name} app was started already`);
      started = true;
      // A broker that is away delays the start (not ready meanwhile) instead of failing it.
      const wait = { retry: options.retry, logger, stopped: () => shutdown.started };
      const topics = await ensureTopicsWhenBrokerIsUp(options.kafka, options.topics, wait);
      logger.info(topics, "topics ready");

      const producer = createCatalogueProducer(options.kafka);
      await untilBrokerIsBack("connecting the producer", () => producer.connect(), wait);
      await own(shutdown, "kafka-producer", () => producer.disconnect());

      const built = await options.startComponents({
        producer,
        logger,
        stageMetrics,
        own: (name, close) => own(shutdown, name, close),
        stageConsumer: (topic, handle) =>
          createStageConsumer({
            kafka: options.kafka,
            producer,
            groupId: options.name,
            topic,
            handle,
            logger: options.logger,
            metrics: stageMetrics,
            retry: options.retry,
            drainTimeoutMs: options.drainTimeoutMs,
            ...(options.concurrency === undefined ? {} : { partitions: options.concurrency }),
            ...options.consumer,
          }),
      });
      await own(
        shutdown,
        "kafka-consumer",
        () => built.close(),
        options.drainTimeoutMs + options.shutdownTimeoutMs,
      );
      consumer = built;
      await built.start();
    },
  };
}
