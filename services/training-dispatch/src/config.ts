/**
 * The training-dispatch service's configuration: one zod schema over the environment, parsed once by
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

const BROKER = /^[^\s:/]+:\d{1,5}$/;

const envSchema = z.object({
  // Kafka bootstrap brokers as host:port, comma-separated, e.g. "kafka-0.kafka:9092,kafka-1.kafka:9092".
  KAFKA_BROKERS: envList().refine((list) => list.length > 0 && list.every((b) => BROKER.test(b)), {
    message: 'is not a list of host:port (expected e.g. "kafka:9092,kafka-1:9092")',
  }),
  // Client id the brokers log and quota this service under.
  KAFKA_CLIENT_ID: z.string().default("isara-training-dispatch"),
  // Root folder of the shared artifact volume: run inputs are read and each round's train/ folder written here.
  ARTIFACT_ROOT: z.string().min(1),
  // The base model this replica trains: a GGUF file or a Hugging Face model folder the trainer loads.
  BASE_MODEL_PATH: z.string().min(1),
  // Name TrainWork.base_model may use for it besides its file name and path (default: file name without .gguf).
  BASE_MODEL_ID: z.string().min(1).optional(),
  // Python interpreter of the trainer's environment (the one with isara_trainer installed).
  TRAINER_PYTHON: z.string().min(1).default("python3"),
  // Device the trainer uses: auto (CUDA when torch sees a GPU), cpu or cuda; passed as ISARA_TRAINER_DEVICE.
  TRAINER_DEVICE: z.enum(["auto", "cpu", "cuda"]).default("auto"),
  // Torch CPU threads of the trainer; unset = the trainer's default (2); passed as ISARA_TRAINER_THREADS.
  TRAINER_THREADS: envInt({ min: 1, max: 1024 }).optional(),
  // Longest training run; a trainer still running then is stopped and the work retried.
  TRAINING_TIMEOUT: envDuration().default(12 * 3_600_000),
  // Port of the probe server: /healthz, /readyz, /metrics.
  HTTP_PORT: envPort().default(8080),
  // Minimum log level (fatal, error, warn, info, debug, trace, silent).
  LOG_LEVEL: envLogLevel().default("info"),
  // Time each component (consumer, trainer, producer, HTTP) gets to close on shutdown.
  SHUTDOWN_TIMEOUT: envDuration().default(15_000),
  // On shutdown, how long a running training may go on before it is aborted (and redelivered); 0s = at once.
  DRAIN_TIMEOUT: envDuration().default(0),
  // Tries of a TrainWork that fails transiently (store unavailable, trainer killed) before it is dead-lettered.
  RETRY_ATTEMPTS: envInt({ min: 1, max: 1000 }).default(4),
  // Wait after the first transient failure; doubles after each further one.
  RETRY_INITIAL_DELAY: envDuration().default(5000),
  // Longest wait between two tries.
  RETRY_MAX_DELAY: envDuration().default(300_000),
});

/** How the service starts the Python trainer. */
export interface TrainerProcessConfig {
  readonly python: string;
  readonly device: "auto" | "cpu" | "cuda";
  /** Torch CPU threads; `undefined` = the trainer's default. */
  readonly threads: number | undefined;
}

/** The service's typed configuration. */
export interface TrainingDispatchConfig {
  readonly kafka: { readonly brokers: readonly string[]; readonly clientId: string };
  readonly artifactRoot: string;
  readonly baseModel: { readonly path: string; readonly id: string | undefined };
  readonly trainer: TrainerProcessConfig;
  readonly trainingTimeoutMs: number;
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
export function loadTrainingDispatchConfig(env: Env = process.env): TrainingDispatchConfig {
  const e = loadConfig(envSchema, env);
  return {
    kafka: { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID },
    artifactRoot: e.ARTIFACT_ROOT,
    baseModel: { path: e.BASE_MODEL_PATH, id: e.BASE_MODEL_ID },
    trainer: { python: e.TRAINER_PYTHON, device: e.TRAINER_DEVICE, threads: e.TRAINER_THREADS },
    trainingTimeoutMs: e.TRAINING_TIMEOUT,
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
