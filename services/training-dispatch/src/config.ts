/**
 * The training-dispatch service's configuration: one zod schema over the environment, parsed once by
 * `main.ts` with the kit's `loadConfig` (every bad variable is listed at start, then the process
 * exits). Everything below is plain data; nothing reads `process.env` elsewhere.
 */
import {
  type StageServiceConfig,
  stageConcurrencyEnv,
  stageServiceConfigFrom,
  stageServiceEnv,
} from "@isara/kafka-kit";
import { type Env, envDuration, envInt, envList, loadConfig } from "@isara/kit";
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
      // Trainings at once per replica, each from its own partition of isara.train.work. Local backend: default 1 (the
      // trainer subprocess uses the machine's GPU or cores). Kubernetes backend: default 8, one Job each (Kueue, when
      // enabled, then decides which run).
      STAGE_CONCURRENCY: stageConcurrencyEnv().optional(),
      // Longest training run; a trainer still running then is stopped and the work retried.
      TRAINING_TIMEOUT: envDuration().default(12 * 3_600_000),
      // Where trainings run: "local" (the Python trainer as a subprocess here) or "kubernetes" (a Job per training from charts/isara-trainer).
      TRAINER_BACKEND: z.enum(["local", "kubernetes"]).default("local"),
      // Kubernetes backend: namespace of the trainer Jobs; unset = the pod's own (or the kubeconfig context's).
      KUBE_NAMESPACE: z.string().optional(),
      // Kubernetes backend: folder of the isara-trainer chart (copied into this service's image).
      TRAINER_CHART: z.string().min(1).default("/app/charts/isara-trainer"),
      // Kubernetes backend: values file every trainer release gets (image, GPUs, node selector, tolerations, queue, volumes).
      TRAINER_VALUES_FILE: z.string().min(1).optional(),
      // Kubernetes backend: the helm binary that renders the chart (it never talks to the cluster).
      HELM_BIN: z.string().min(1).default("helm"),
      // Kubernetes backend: wait between two looks at a running trainer Job.
      TRAINER_POLL: envDuration().default(5000),
      // Base URLs of vLLM servers that load each trained adapter (POST /v1/load_lora_adapter), comma-separated; empty = none.
      LORA_SERVING_URLS: envList().default([]),
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

/** How the Kubernetes backend installs trainer releases. */
export interface KubeTrainerConfig {
  readonly namespace: string | undefined;
  readonly chartDir: string;
  readonly valuesFile: string | undefined;
  readonly helm: string;
  readonly pollMs: number;
}

/** The service's typed configuration. */
export interface TrainingDispatchConfig extends StageServiceConfig {
  readonly baseModel: { readonly path: string; readonly id: string | undefined };
  readonly trainer: TrainerProcessConfig;
  readonly trainingTimeoutMs: number;
  /** Trainings at once (STAGE_CONCURRENCY; default 1 local, 8 Kubernetes). */
  readonly concurrency: number;
  /** The Kubernetes backend's settings; `undefined` with TRAINER_BACKEND=local. */
  readonly kube: KubeTrainerConfig | undefined;
  /** vLLM servers that load each trained adapter. */
  readonly loraServingUrls: readonly string[];
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
    concurrency: e.STAGE_CONCURRENCY ?? (e.TRAINER_BACKEND === "kubernetes" ? 8 : 1),
    kube:
      e.TRAINER_BACKEND === "kubernetes"
        ? {
            namespace: e.KUBE_NAMESPACE,
            chartDir: e.TRAINER_CHART,
            valuesFile: e.TRAINER_VALUES_FILE,
            helm: e.HELM_BIN,
            pollMs: e.TRAINER_POLL,
          }
        : undefined,
    loraServingUrls: e.LORA_SERVING_URLS,
  };
}
