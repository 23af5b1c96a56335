/**
 * The training-dispatch service's process, run by kafka-kit's `runStageMain`: the only file with
 * process effects. Config from the environment, the root logger, the setup check (trainer
 * interpreter and base model for the local backend; the base model's architecture for both), the adapters (Kafka client, artifact store, the trainer
 * backend, the serving fleet's adapter loader), the app,
 * the probe server, signal handlers, then start. A bad config, a missing trainer or model, or a
 * failed start exits 1 with the reason.
 */
import { existsSync } from "node:fs";
import { runStageMain } from "@isara/kafka-kit";
import { FsArtifactStore } from "@isara/store-fs";
import { createTrainingDispatchApp } from "./app.js";
import { baseModel } from "./base-model.js";
import { loadTrainingDispatchConfig } from "./config.js";
import { createLoraLoader } from "./lora-loader.js";
import { checkBaseModelArchitecture, checkTrainingSetup, openTrainer } from "./trainer-process.js";

void runStageMain({
  name: "training-dispatch",
  loadConfig: () => loadTrainingDispatchConfig(),
  setupCheck: {
    // The Kubernetes backend trains in Jobs that mount the model themselves: only the model's
    // architecture is checked here, when the model is visible to this replica too.
    run: (config) => {
      if (config.kube === undefined) checkTrainingSetup(config.trainer, config.baseModel.path);
      else if (existsSync(config.baseModel.path)) checkBaseModelArchitecture(config.baseModel.path);
    },
    failure: "the trainer cannot run on this replica",
  },
  createApp: ({ config, logger, kafka }) =>
    createTrainingDispatchApp({
      logger,
      kafka,
      artifacts: new FsArtifactStore({ root: config.artifactRoot }),
      openTrainer: (onLog) => openTrainer(config, onLog),
      adapters: createLoraLoader(config.loraServingUrls),
      baseModel: baseModel(config.baseModel.path, config.baseModel.id),
      retry: config.retry,
      drainTimeoutMs: config.drainTimeoutMs,
      concurrency: config.concurrency,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      trainingTimeoutMs: config.trainingTimeoutMs,
      processMetrics: true,
    }),
});
