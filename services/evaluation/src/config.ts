/**
 * The evaluation service's configuration: one zod schema over the environment, parsed once by
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
import {
  LLM_BACKEND_ENV,
  type LlmBackendConfig,
  llmBackendConfigFrom,
  withLlmBackendRules,
} from "@isara/llm-backends";
import { z } from "zod";
import { JUDGE_ENV, type JudgeConfig, judgeConfigFrom, withJudgeRules } from "./judge-env.js";

const BROKER = /^[^\s:/]+:\d{1,5}$/;

const envSchema = withJudgeRules(
  withLlmBackendRules(
    z.object({
      // Kafka bootstrap brokers as host:port, comma-separated, e.g. "kafka-0.kafka:9092,kafka-1.kafka:9092".
      KAFKA_BROKERS: envList().refine((list) => list.length > 0 && list.every((b) => BROKER.test(b)), {
        message: 'is not a list of host:port (expected e.g. "kafka:9092,kafka-1:9092")',
      }),
      // Client id the brokers log and quota this service under.
      KAFKA_CLIENT_ID: z.string().default("isara-evaluation"),
      // Root folder of the shared artifact volume: run inputs (<run>/domain/...) are read and results written here.
      ARTIFACT_ROOT: z.string(),
      // The LLM that answers the eval questions: LLM_BACKEND, MODEL_PATH, LLM_MODEL_ID, LLM_BASE_URL, LLM_MODEL,
      // LLM_API_KEY, LLM_PARALLEL, LLM_TIMEOUT_MS (see @isara/llm-backends; each is commented there).
      ...LLM_BACKEND_ENV,
      // The optional judge model that also scores every answer: JUDGE_URL, JUDGE_MODEL, JUDGE_API_KEY,
      // JUDGE_PARALLEL, JUDGE_RUBRICS (see judge-env.ts; each is commented there).
      ...JUDGE_ENV,
      // Port of the probe server: /healthz, /readyz, /metrics.
      HTTP_PORT: envPort().default(8080),
      // Minimum log level (fatal, error, warn, info, debug, trace, silent).
      LOG_LEVEL: envLogLevel().default("info"),
      // Time each component (consumer, LLM, producer, HTTP) gets to close on shutdown.
      SHUTDOWN_TIMEOUT: envDuration().default(15_000),
      // On shutdown, how long a running evaluation may finish before it is aborted (and redelivered).
      DRAIN_TIMEOUT: envDuration().default(10_000),
      // Tries of an EvalWork that fails with a transient error (LLM or store unavailable) before it is dead-lettered.
      RETRY_ATTEMPTS: envInt({ min: 1, max: 1000 }).default(8),
      // Wait after the first transient failure; doubles after each further one.
      RETRY_INITIAL_DELAY: envDuration().default(1000),
      // Longest wait between two tries.
      RETRY_MAX_DELAY: envDuration().default(60_000),
    }),
  ),
);

/** The service's typed configuration. */
export interface EvaluationConfig {
  readonly kafka: { readonly brokers: readonly string[]; readonly clientId: string };
  readonly artifactRoot: string;
  readonly llm: LlmBackendConfig;
  /** The judge that scores every answer beside the reference metric; none: reference metrics only. */
  readonly judge: JudgeConfig | undefined;
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
export function loadEvaluationConfig(env: Env = process.env): EvaluationConfig {
  const e = loadConfig(envSchema, env);
  return {
    kafka: { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID },
    artifactRoot: e.ARTIFACT_ROOT,
    llm: llmBackendConfigFrom(e),
    judge: judgeConfigFrom(e),
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
