/**
 * The filtering service's configuration: one zod schema over the environment, parsed once by
 * `main.ts` with the kit's `loadConfig` (every bad variable is listed at start, then the process
 * exits). Everything below is plain data; nothing reads `process.env` elsewhere.
 */
import {
  type Env,
  envDuration,
  envInt,
  envList,
  envLogLevel,
  envPort,
  type LogLevel,
  loadConfig,
} from "@isara/kit";
import { z } from "zod";

const HOST_PORT = /^[^\s:/]+:\d{1,5}$/;

const envSchema = z.object({
  // Kafka bootstrap brokers as host:port, comma-separated, e.g. "kafka-0.kafka:9092,kafka-1.kafka:9092".
  KAFKA_BROKERS: envList().refine((list) => list.length > 0 && list.every((b) => HOST_PORT.test(b)), {
    message: 'is not a list of host:port (expected e.g. "kafka:9092,kafka-1:9092")',
  }),
  // Client id the brokers log and quota this service under.
  KAFKA_CLIENT_ID: z.string().default("isara-filtering"),
  // Root folder of the shared artifact volume: candidates are read and accepted/rejected sets written here.
  ARTIFACT_ROOT: z.string(),
  // The retrieval service's gRPC address as host:port, e.g. "isara-retrieval:50051"; accepted samples are stored there.
  RETRIEVAL_ADDRESS: z.string().refine((v) => HOST_PORT.test(v.trim()), {
    message: 'is not host:port (expected e.g. "isara-retrieval:50051")',
  }),
  // Deadline of one retrieval call (Embed or Upsert of one batch); a slower answer is retried as deadline_exceeded.
  RETRIEVAL_TIMEOUT: envDuration().default(60_000),
  // Port of the probe server: /healthz, /readyz, /metrics.
  HTTP_PORT: envPort().default(8080),
  // Minimum log level (fatal, error, warn, info, debug, trace, silent).
  LOG_LEVEL: envLogLevel().default("info"),
  // Time each component (consumer, retrieval client, producer, HTTP) gets to close on shutdown.
  SHUTDOWN_TIMEOUT: envDuration().default(15_000),
  // On shutdown, how long a running filter pass may finish before it is aborted (and redelivered).
  DRAIN_TIMEOUT: envDuration().default(10_000),
  // Tries of a FilterWork that fails with a transient error (retrieval or store down) before it is dead-lettered.
  RETRY_ATTEMPTS: envInt({ min: 1, max: 1000 }).default(8),
  // Wait after the first transient failure; doubles after each further one.
  RETRY_INITIAL_DELAY: envDuration().default(1000),
  // Longest wait between two tries.
  RETRY_MAX_DELAY: envDuration().default(60_000),
});

/** The service's typed configuration. */
export interface FilteringConfig {
  readonly kafka: { readonly brokers: readonly string[]; readonly clientId: string };
  readonly artifactRoot: string;
  readonly retrieval: { readonly address: string; readonly timeoutMs: number };
  readonly httpPort: number;
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly retry: {
    readonly attempts: number;
    readonly initialDelayMs: number;
    readonly maxDelayMs: number;
  };
}

/**
 * Reads the configuration from `env` (default `process.env`).
 * @throws IsaraError `invalid_argument` listing every missing or malformed variable, one per line.
 */
export function loadFilteringConfig(env: Env = process.env): FilteringConfig {
  const e = loadConfig(envSchema, env);
  return {
    kafka: { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID },
    artifactRoot: e.ARTIFACT_ROOT,
    retrieval: { address: e.RETRIEVAL_ADDRESS.trim(), timeoutMs: e.RETRIEVAL_TIMEOUT },
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
