/**
 * The generation service's configuration: one zod schema over the environment, parsed once by
 * `main.ts` with the kit's `loadConfig` (every bad variable is listed at start, then the process
 * exits). The LLM variables are the shared fragment of `@isara/llm-backends`, so this service and the
 * evaluation service read them alike. Nothing reads `process.env` elsewhere.
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
import {
  LLM_BACKEND_ENV,
  type LlmBackendConfig,
  llmBackendConfigFrom,
  withLlmBackendRules,
} from "@isara/llm-backends";
import { z } from "zod";

const HOST_PORT = /^[^\s:/]+:\d{1,5}$/;

const envSchema = withLlmBackendRules(
  z.object({
    // Kafka bootstrap brokers as host:port, comma-separated, e.g. "kafka-0.kafka:9092,kafka-1.kafka:9092".
    KAFKA_BROKERS: envList().refine((list) => list.length > 0 && list.every((b) => HOST_PORT.test(b)), {
      message: 'is not a list of host:port (expected e.g. "kafka:9092,kafka-1:9092")',
    }),
    // Client id the brokers log and quota this service under.
    KAFKA_CLIENT_ID: z.string().default("isara-generation"),
    // Root folder of the shared artifact volume: per-slot result records go to <run>/round-<t>/{prompts,answers}/.
    ARTIFACT_ROOT: z.string(),
    // The retrieval service's gRPC address as host:port, e.g. "isara-retrieval:50051"; demos are chosen there.
    RETRIEVAL_ADDRESS: z.string().refine((v) => HOST_PORT.test(v.trim()), {
      message: 'is not host:port (expected e.g. "isara-retrieval:50051")',
    }),
    // Deadline of one SelectDemos call; a slower answer fails as deadline_exceeded and the work is retried.
    RETRIEVAL_TIMEOUT: envDuration().default(30_000),
    // The LLM that writes: LLM_BACKEND, MODEL_PATH, LLM_MODEL_ID, LLM_BASE_URL, LLM_MODEL, LLM_API_KEY,
    // LLM_PARALLEL (also the number of work messages handled at once), LLM_TIMEOUT_MS (see @isara/llm-backends).
    ...LLM_BACKEND_ENV,
    // Port of the probe server: /healthz, /readyz, /metrics.
    HTTP_PORT: envPort().default(8080),
    // Minimum log level (fatal, error, warn, info, debug, trace, silent).
    LOG_LEVEL: envLogLevel().default("info"),
    // Time each component (consumer, LLM, retrieval client, producer, HTTP) gets to close on shutdown.
    SHUTDOWN_TIMEOUT: envDuration().default(15_000),
    // On shutdown, how long the work in flight may finish before it is aborted (and redelivered).
    DRAIN_TIMEOUT: envDuration().default(10_000),
    // Tries of a work message that fails with a transient error (retrieval or store down, a timeout) before it is dead-lettered.
    RETRY_ATTEMPTS: envInt({ min: 1, max: 1000 }).default(8),
    // Wait after the first transient failure; doubles after each further one.
    RETRY_INITIAL_DELAY: envDuration().default(1000),
    // Longest wait between two tries.
    RETRY_MAX_DELAY: envDuration().default(60_000),
  }),
);

/** The service's typed configuration. */
export interface GenerationConfig {
  readonly kafka: { readonly brokers: readonly string[]; readonly clientId: string };
  readonly artifactRoot: string;
  readonly retrieval: { readonly address: string; readonly timeoutMs: number };
  readonly llm: LlmBackendConfig;
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
export function loadGenerationConfig(env: Env = process.env): GenerationConfig {
  const e = loadConfig(envSchema, env);
  return {
    kafka: { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID },
    artifactRoot: e.ARTIFACT_ROOT,
    retrieval: { address: e.RETRIEVAL_ADDRESS.trim(), timeoutMs: e.RETRIEVAL_TIMEOUT },
    llm: llmBackendConfigFrom(e),
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
