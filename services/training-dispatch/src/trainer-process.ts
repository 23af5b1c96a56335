/**
 * The trainer as this service runs it: the Python trainer (`services/trainer`, `python -m
 * isara_trainer`) as a subprocess through `@isara/trainer-local`, on the replica's own device, or
 * (TRAINER_BACKEND=kubernetes) as a Job per training. The local backend's checks run at start, so a replica without its Python environment or base model fails its rollout
 * instead of failing every round sent to it.
 */
import { existsSync } from "node:fs";
import type { Trainer } from "@isara/core";
import { IsaraError, isIsaraError } from "@isara/core";
import { loadKubeConfig, resolveNamespace } from "@isara/kube-kit";
import { checkTrainableBaseModel, createSubprocessTrainer } from "@isara/trainer-local";
import type { TrainerProcessConfig, TrainingDispatchConfig } from "./config.js";
import { createKubeTrainer } from "./kube-trainer.js";

/** The trainer's own environment variables for `config` (see docs/trainer.md). */
export function trainerEnv(config: TrainerProcessConfig): Record<string, string> {
  return {
    ISARA_TRAINER_DEVICE: config.device,
    ...(config.threads === undefined ? {} : { ISARA_TRAINER_THREADS: String(config.threads) }),
  };
}

/**
 * Checks that the interpreter (when given as a path) and the base model exist, and that the base
 * model is of an architecture the trainer supports (`checkTrainableBaseModel`), so a deployment whose
 * adapters llama.cpp could not apply never takes a run's training.
 * @throws IsaraError `not_found` naming each missing one and how to provide it; `invalid_argument`
 *   naming the base model's architecture and the supported ones.
 */
export function checkTrainingSetup(config: TrainerProcessConfig, baseModelPath: string): void {
  const problems: string[] = [];
  if (config.python.includes("/") && !existsSync(config.python)) {
    problems.push(
      `TRAINER_PYTHON ${config.python} does not exist; point it at the trainer's environment (infra/trainer-env.sh creates services/trainer/.venv)`,
    );
  }
  if (!existsSync(baseModelPath)) {
    problems.push(
      `BASE_MODEL_PATH ${baseModelPath} does not exist; mount the base model (a GGUF file or a Hugging Face folder) there`,
    );
  }
  if (problems.length > 0) throw new IsaraError("not_found", problems.join("\n"), problems);
  checkBaseModelArchitecture(baseModelPath);
}

/**
 * The architecture check alone, for the Kubernetes backend, whose Jobs mount the model themselves:
 * it runs when the base model is visible here too (a shared volume), and otherwise each Job's
 * trainer refuses an unsupported one before training (exit 2, the same message).
 */
export function checkBaseModelArchitecture(baseModelPath: string): void {
  try {
    checkTrainableBaseModel(baseModelPath);
  } catch (err) {
    if (isIsaraError(err)) {
      throw new IsaraError(err.code, `BASE_MODEL_PATH: ${err.message}`, undefined, { cause: err });
    }
    throw err;
  }
}

/**
 * The trainer backend the config names: the local subprocess, or a Kubernetes Job per training
 * (`kube-trainer.ts`), its log lines going to `onLog`.
 */
export function openTrainer(config: TrainingDispatchConfig, onLog: (line: string) => void): Trainer {
  if (config.kube === undefined) return openSubprocessTrainer(config.trainer, onLog);
  const kc = loadKubeConfig();
  return createKubeTrainer({
    kc,
    namespace: resolveNamespace(kc, config.kube.namespace),
    chartDir: config.kube.chartDir,
    valuesFile: config.kube.valuesFile,
    helm: config.kube.helm,
    pollMs: config.kube.pollMs,
    onLog,
  });
}

/** The subprocess trainer for `config`, its stderr lines going to `onLog`. */
export function openSubprocessTrainer(config: TrainerProcessConfig, onLog: (line: string) => void): Trainer {
  return createSubprocessTrainer({ python: config.python, env: trainerEnv(config), onLog });
}
