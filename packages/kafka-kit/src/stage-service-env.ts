import { envDuration, envInt, envList, envLogLevel, envPort, type LogLevel } from "@isara/kit";
import { z } from "zod";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry-policy.js";

const BROKER = /^[^\s:/]+:\d{1,5}$/;

/** What differs between stage services in the shared variables: the client id and a few defaults. */
export interface StageServiceEnvDefaults {
  /** Default of KAFKA_CLIENT_ID, e.g. `"isara-filtering"`. */
  readonly clientId: string;
  /** Default of DRAIN_TIMEOUT in ms (10 s when left out). */
  readonly drainTimeoutMs?: number;
  /** Defaults of RETRY_ATTEMPTS, RETRY_INITIAL_DELAY and RETRY_MAX_DELAY ({@link DEFAULT_RETRY_POLICY} when left out). */
  readonly retry?: RetryPolicy;
}

/**
 * The environment variables every Kafka stage service reads, as a zod shape to spread into the
 * service's `z.object`, with the service's own variables (`ownShape`) placed between the Kafka and
 * artifact ones and the process ones. Why one fragment: four services must accept the same names,
 * formats and messages for the same things (an operator's KAFKA_BROKERS or DRAIN_TIMEOUT means the
 * same everywhere); why `ownShape` goes in the middle: problems are listed in schema order, so each
 * service keeps its documented order (Kafka, artifacts, its own, then HTTP, logs, shutdown, retry).
 *
 * - KAFKA_BROKERS: bootstrap brokers as host:port, comma-separated, e.g. "kafka-0.kafka:9092,kafka-1.kafka:9092".
 * - KAFKA_CLIENT_ID: client id the brokers log and quota this service under.
 * - ARTIFACT_ROOT: root folder of the shared artifact volume (required).
 * - HTTP_PORT: port of the probe server (/healthz, /readyz, /metrics); default 8080.
 * - LOG_LEVEL: minimum log level (fatal, error, warn, info, debug, trace, silent); default info.
 * - SHUTDOWN_TIMEOUT: time each component (consumer, clients, producer, HTTP) gets to close; default 15 s.
 * - DRAIN_TIMEOUT: on shutdown, how long the work in flight may go on before it is aborted (and redelivered).
 * - RETRY_ATTEMPTS: tries of a work message that fails transiently before it is dead-lettered.
 * - RETRY_INITIAL_DELAY: wait after the first transient failure; doubles after each further one.
 * - RETRY_MAX_DELAY: longest wait between two tries.
 */
export function stageServiceEnv<S extends z.ZodRawShape>(defaults: StageServiceEnvDefaults, ownShape: S) {
  const retry = defaults.retry ?? DEFAULT_RETRY_POLICY;
  return {
    KAFKA_BROKERS: envList().refine((list) => list.length > 0 && list.every((b) => BROKER.test(b)), {
      message: 'is not a list of host:port (expected e.g. "kafka:9092,kafka-1:9092")',
    }),
    KAFKA_CLIENT_ID: z.string().default(defaults.clientId),
    // Empty values count as unset in loadConfig, so a plain string already refuses ARTIFACT_ROOT="".
    ARTIFACT_ROOT: z.string(),
    ...ownShape,
    HTTP_PORT: envPort().default(8080),
    LOG_LEVEL: envLogLevel().default("info"),
    SHUTDOWN_TIMEOUT: envDuration().default(15_000),
    DRAIN_TIMEOUT: envDuration().default(defaults.drainTimeoutMs ?? 10_000),
    RETRY_ATTEMPTS: envInt({ min: 1, max: 1000 }).default(retry.attempts),
    RETRY_INITIAL_DELAY: envDuration().default(retry.initialDelayMs),
    RETRY_MAX_DELAY: envDuration().default(retry.maxDelayMs),
  };
}

/**
 * STAGE_CONCURRENCY, for the stages that handle one round-sized message at a time (filtering,
 * evaluation, training-dispatch): how many messages, from as many partitions, one replica handles
 * at once. Above 1, one run's long filter pass, evaluation or training no longer holds up the runs
 * on the replica's other partitions. Messages of one partition (one run) stay in order either way.
 * A service opts in by placing this in its own shape with its default (`.default(n)`).
 */
export function stageConcurrencyEnv() {
  return envInt({ min: 1, max: 64 });
}

/** The parsed values of {@link stageServiceEnv}'s shared variables. */
export interface StageServiceEnvValues {
  readonly KAFKA_BROKERS: readonly string[];
  readonly KAFKA_CLIENT_ID: string;
  readonly ARTIFACT_ROOT: string;
  readonly HTTP_PORT: number;
  readonly LOG_LEVEL: LogLevel;
  readonly SHUTDOWN_TIMEOUT: number;
  readonly DRAIN_TIMEOUT: number;
  readonly RETRY_ATTEMPTS: number;
  readonly RETRY_INITIAL_DELAY: number;
  readonly RETRY_MAX_DELAY: number;
}

/** The typed configuration every stage service has; a service's config extends it with its own part. */
export interface StageServiceConfig {
  readonly kafka: { readonly brokers: readonly string[]; readonly clientId: string };
  readonly artifactRoot: string;
  readonly httpPort: number;
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly retry: RetryPolicy;
}

/**
 * Maps the shared variables to {@link StageServiceConfig}, so that every stage service names its
 * settings alike (`kafka.brokers`, `drainTimeoutMs`, `retry.attempts`…) and `runStageMain` can read them.
 */
export function stageServiceConfigFrom(e: StageServiceEnvValues): StageServiceConfig {
  return {
    kafka: { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID },
    artifactRoot: e.ARTIFACT_ROOT,
    httpPort: e.HTTP_PORT,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT,
    drainTimeoutMs: e.DRAIN_TIMEOUT,
    retry: {
      attempts: e.RETRY_ATTEMPTS,
      initialDelayMs: e.RETRY_INITIAL_DELAY,
      maxDelayMs: e.RETRY_MAX_DELAY,
    },
  };
}
