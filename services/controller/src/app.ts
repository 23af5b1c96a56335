/**
 * The controller, built from its adapters and never listening itself: `main.ts` (or a test) gives it
 * a Kafka client, the artifact store and the run store, calls `start`, binds `server` on a port,
 * serves `handleHttp` and calls `markServing`. Start order: the retrieval client (new runs' seeds), topics, producer, the runs (loaded from
 * their folders, each running run resumed by publishing its outstanding work), the result consumer.
 * Each is registered with the shutdown coordinator as it starts, so shutdown closes them in reverse:
 * the consumer stops intake and drains, the runs' queued work settles, then the producer goes.
 */
import type { RequestListener } from "node:http";
import { Server } from "@grpc/grpc-js";
import { ControllerServiceService, TOPIC_LIST } from "@isara/contracts";
import type { ArtifactStore, Clock, RunState, RunStore } from "@isara/core";
import {
  createCatalogueProducer,
  createStageMetrics,
  ensureTopicsWhenBrokerIsUp,
  type OutgoingMessage,
  type RetryPolicy,
  sendInChunks,
  untilBrokerIsBack,
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
import { createGrpcHealth, type GrpcHealth, stopGrpcServer } from "@isara/kit/grpc";
import type { Kafka, Producer } from "kafkajs";
import type { TenantLimits } from "./admission.js";
import { createControllerHandlers } from "./controller-service.js";
import type { AdapterReference } from "./model-ref.js";
import { Reconciler } from "./reconciler.js";
import { CONTROLLER_GROUP, createResultConsumer, type ResultConsumer } from "./result-consumer.js";
import type { SeedStore } from "./seed-store.js";
import { createControllerMetrics } from "./service-metrics.js";
import { DEFAULT_STALL_TIMEOUT_MS, DEFAULT_WORK_WINDOW } from "./work-window.js";

/** The fully qualified name of the service, as grpc.health.v1 callers ask for it. */
export const CONTROLLER_SERVICE_NAME = "isara.v1.ControllerService";

/** The topics the controller reads or writes, created at start when missing. */
export const CONTROLLER_TOPICS = TOPIC_LIST.filter(
  (t) => t.producer === CONTROLLER_GROUP || t.consumers.includes(CONTROLLER_GROUP),
);

/** What {@link createControllerApp} is built from. */
export interface ControllerAppDeps {
  readonly logger: Logger;
  readonly kafka: Kafka;
  /** The shared artifact volume (run folders, uploaded domains). */
  readonly artifacts: ArtifactStore;
  /** Run states (`<run>/state.json` on the same volume). */
  readonly runStore: RunStore<RunState>;
  /** Folder of registered domains; `undefined` = only uploaded ones. */
  readonly domainsDir: string | undefined;
  /** Base model of runs whose spec names none. */
  readonly baseModel: string;
  /** Where new runs' seeds are stored (the retrieval service); closed by the app's shutdown. */
  readonly seeds: SeedStore;
  readonly adapterReference: AdapterReference;
  /**
   * Whether the filtering service has a judge (FILTER_JUDGE); without one (the default), CreateRun
   * refuses a run whose filter chain names `judge-score`.
   */
  readonly filterJudge?: boolean;
  readonly retry: RetryPolicy;
  /** How long results being applied may finish on shutdown before they are aborted. */
  readonly drainTimeoutMs: number;
  /** Time each other component gets to close. */
  readonly shutdownTimeoutMs: number;
  /** Partitions handled at once (default 12). */
  readonly consumerConcurrency?: number;
  /** Slots of one run in flight per per-slot stage (default `DEFAULT_WORK_WINDOW`). */
  readonly workWindow?: number;
  /** Released work without a result this long is published again; 0 = never (default `DEFAULT_STALL_TIMEOUT_MS`). */
  readonly stallTimeoutMs?: number;
  /** Per-tenant limits of running and waiting runs (TENANT_*); none: every run starts at once. */
  readonly tenantLimits?: TenantLimits;
  /** Time source (run creation times, phase durations); default the system clock. */
  readonly clock?: Clock;
  /** Random hex for generated run ids; default crypto random bytes. */
  readonly randomHex?: () => string;
  /** Export Node process metrics (CPU, memory, GC) too; on in `main.ts`, off in tests. */
  readonly processMetrics?: boolean;
  /** Consumer timings; tests shorten the fetch long-poll so leaving the group is quick. */
  readonly consumer?: {
    readonly heartbeatIntervalMs?: number;
    readonly sessionTimeoutMs?: number;
    readonly maxWaitTimeMs?: number;
  };
}

/** The built service. */
export interface ControllerApp {
  /** The gRPC server with ControllerService and grpc.health.v1; not bound (see `bindGrpcServer`). */
  readonly server: Server;
  readonly reconciler: Reconciler;
  readonly health: HealthRegistry;
  readonly grpcHealth: GrpcHealth;
  readonly metrics: Metrics;
  /** Serves /healthz, /readyz and /metrics. */
  readonly handleHttp: RequestListener;
  /**
   * Creates the topics, connects the producer, loads and resumes the runs and joins the consumer
   * group, registering each with `shutdown` as it starts; while the broker is away it waits (kafka-kit's
   * `untilBrokerIsBack`). Rejects when a step fails, or with `cancelled` when shutdown began
   * meanwhile.
   */
  start(shutdown: Shutdown): Promise<void>;
  /** Reports SERVING on grpc.health.v1; call once started and bound. */
  markServing(): void;
  /** Readiness fails and grpc.health.v1 reports NOT_SERVING; calls in flight still run. Idempotent. */
  startDraining(reason: string): void;
  /** Ends WatchRun streams and stops the gRPC server (graceful for `timeoutMs`, then forced). */
  closeGrpc(timeoutMs: number): Promise<"graceful" | "forced">;
}

/**
 * Sends records in chunks under the broker's limit, one chunk after the other (kafka-kit's
 * `sendInChunks`: a phase of 20 000 slots is 20 000 records, far over one request's worth); resolves
 * once the broker acknowledged them all. After a failure part-way the run's work is published again,
 * and the stages answer what they already had idempotently. Rejects with kafka-kit's `kafkaFailure`
 * of what kafkajs threw, so a broker that is away is `unavailable` (CreateRun answers UNAVAILABLE, not
 * INTERNAL) and stays a broker outage for the result consumer, which retries it until the broker is
 * back instead of dead-lettering the result.
 */
async function sendAll(producer: Producer, records: readonly OutgoingMessage[]): Promise<void> {
  await sendInChunks(producer, records);
}

/** Builds the controller (see the module comment). Nothing connects until `start`. */
export function createControllerApp(deps: ControllerAppDeps): ControllerApp {
  const logger = childLogger(deps.logger, { component: "app" });
  const health = createHealthRegistry();
  const metrics = createMetrics({
    prefix: "isara_",
    defaultLabels: { service: CONTROLLER_GROUP },
    processMetrics: deps.processMetrics ?? false,
  });
  const producer = createCatalogueProducer(deps.kafka);
  const publish = (records: readonly OutgoingMessage[]) => sendAll(producer, records);
  let reconciler: Reconciler | undefined;
  const controllerMetrics = createControllerMetrics(metrics, () => reconciler?.countByStatus() ?? {});
  const runs = new Reconciler({
    artifacts: deps.artifacts,
    runStore: deps.runStore,
    publish,
    clock: deps.clock ?? { now: () => Date.now() },
    adapterReference: deps.adapterReference,
    logger: deps.logger,
    metrics: controllerMetrics,
    domains: { domainsDir: deps.domainsDir },
    defaultBaseModel: deps.baseModel,
    seeds: deps.seeds,
    filterJudge: deps.filterJudge ?? false,
    workWindow: deps.workWindow ?? DEFAULT_WORK_WINDOW,
    stallTimeoutMs: deps.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
    ...(deps.tenantLimits === undefined ? {} : { tenantLimits: deps.tenantLimits }),
    ...(deps.randomHex ? { randomHex: deps.randomHex } : {}),
  });
  reconciler = runs;
  const handlers = createControllerHandlers({
    reconciler: runs,
    logger: deps.logger,
    metrics: controllerMetrics,
  });
  const grpcHealth = createGrpcHealth([CONTROLLER_SERVICE_NAME]);
  const server = new Server();
  server.addService(ControllerServiceService, handlers.implementation);
  grpcHealth.addToServer(server);

  let consumer: ResultConsumer | undefined;
  let loaded = false;
  let started = false;
  health.register("runs", () => {
    if (!loaded) throw new Error("the runs are not loaded yet");
    const counts = runs.countByStatus();
    return `${counts.running} running, ${counts.failed} failed, ${counts.done + counts.cancelled} finished`;
  });
  health.register("kafka-consumer", () => {
    if (consumer === undefined) throw new Error("the consumer has not started yet");
    return consumer.readiness();
  });
  health.register("grpc", () => {
    if (grpcHealth.status !== "SERVING") throw new Error("the gRPC server is not serving yet");
    return `serving ${CONTROLLER_SERVICE_NAME}`;
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

  const startDraining = (reason: string): void => {
    health.startDraining(reason);
    grpcHealth.setStatus("NOT_SERVING");
  };

  return {
    server,
    reconciler: runs,
    health,
    grpcHealth,
    metrics,
    handleHttp: createProbeListener({ health, metrics, logger: deps.logger }),
    async start(shutdown) {
      if (started) throw new IsaraError("failed_precondition", "the controller app was started already");
      started = true;
      await own(shutdown, "retrieval-client", () => deps.seeds.close());
      // A broker that is away delays the start (not ready meanwhile) instead of failing it.
      const wait = { retry: deps.retry, logger, stopped: () => shutdown.started };
      const topics = await ensureTopicsWhenBrokerIsUp(deps.kafka, CONTROLLER_TOPICS, wait);
      logger.info(topics, "topics ready");
      await untilBrokerIsBack("connecting the producer", () => producer.connect(), wait);
      await own(shutdown, "kafka-producer", () => producer.disconnect());
      await own(shutdown, "runs", () => runs.close());

      const report = await runs.load();
      loaded = true;
      logger.info(report, "runs loaded; running runs resumed");

      const intake = createResultConsumer({
        kafka: deps.kafka,
        publish,
        apply: (incoming) => runs.apply(incoming),
        onPoison: async (context, source, err) => {
          const outcome = await runs.poisoned(context, source, err);
          if (outcome === "failed") controllerMetrics.runFailures.inc({ source: "controller_dead_letter" });
          return outcome;
        },
        logger: deps.logger,
        retry: deps.retry,
        metrics: createStageMetrics(metrics),
        onOutcome: (topic, incoming, outcome) => {
          const phase = incoming.kind === "row" ? incoming.phase : "failure";
          controllerMetrics.results.inc({ phase, outcome });
          if (outcome === "failed") {
            controllerMetrics.runFailures.inc({ source: topic.endsWith(".dlq") ? "dead_letter" : "result" });
          }
        },
        drainTimeoutMs: deps.drainTimeoutMs,
        ...(deps.consumerConcurrency === undefined ? {} : { concurrency: deps.consumerConcurrency }),
        ...deps.consumer,
      });
      await own(
        shutdown,
        "kafka-consumer",
        () => intake.close(),
        deps.drainTimeoutMs + deps.shutdownTimeoutMs,
      );
      consumer = intake;
      await intake.start();
    },
    markServing() {
      if (!health.draining) grpcHealth.setStatus("SERVING");
    },
    startDraining,
    async closeGrpc(timeoutMs) {
      startDraining("closing");
      handlers.endWatches();
      grpcHealth.closeWatches();
      return stopGrpcServer(server, timeoutMs);
    },
  };
}
