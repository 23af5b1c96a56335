/**
 * The training-dispatch service's configuration: one zod schema over the environment, parsed once by
 * `main.ts` with the kit's `loadConfig` (every bad variable is listed at start, then the process
 * exits). Everything below is plain data; nothing reads `process.env` elsewhere.
 */
import { type StageServiceConfig, stageServiceConfigFrom, stageServiceEnv } from "@isara/kafka-kit";
import { type Env, envDuration, envInt, loadConfig } from "@isara/kit";
import { z } from "zod";

// Shared with every stage (see @isara/kafka-kit's stageServiceEnv): KAFKA_BROKERS, KAFKA_CLIENT_ID, ARTIFACT_ROOT
// (run inputs are read and each round's train/ folder written there), HTTP_PORT, LOG_LEVEL, SHUTDOWN_TIMEOUT. This stage
// has its own defaults: DRAIN_TIMEOUT 0s (a running training is aborted at once, and redelivered), and RETRY_ATTEMPTS 4,
// RETRY_INITIAL_DELAY 5s, RETRY_MAX_DELAY 5m (a TrainWork fails transiently when the store is unavailable or the trainer killed).
const envSchema = z.object(
  stageServiceEnv(
    {
      clientId: "isara-training-dispatch",
      drainTimeoutMs: 0,
      retry: { attempts: 4, initialDelayMs: 5000, maxDelayMs: 300_000 },
    },
    {
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
    },
  ),
);

/** How the service starts the Python trainer. */
export interface TrainerProcessConfig {
  readonly python: string;
  readonly device: "auto" | "cpu" | "cuda";
  /** Torch CPU threads; `undefined` = the trainer's default. */
  readonly threads: number | undefined;
}

/** The service's typed configuration. */
export interface TrainingDispatchConfig extends StageServiceConfig {
  readonly baseModel: { readonly path: string; readonly id: string | undefined };
  readonly trainer: TrainerProcessConfig;
  readonly trainingTimeoutMs: number;
}

/**
 * Reads the configuration from `env` (default `process.env`).
 * @throws IsaraError `invalid_argument` listing every missing or malformed variable, one per line.
 */
export function loadTrainingDispatchConfig(env: Env = process.env): TrainingDispatchConfig {
  const e = loadConfig(envSchema, env);
  return {
    ...stageServiceConfigFrom(e),
    baseModel: { path: e.BASE_MODEL_PATH, id: e.BASE_MODEL_ID },
    trainer: { python: e.TRAINER_PYTHON, device: e.TRAINER_DEVICE, threads: e.TRAINER_THREADS },
    trainingTimeoutMs: e.TRAINING_TIMEOUT,
  };
}
