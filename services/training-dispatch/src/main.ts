/**
 * The training-dispatch service's process, run by kafka-kit's `runStageMain`: the only file with
 * process effects. Config from the environment, the root logger, the setup check (trainer
 * interpreter, base model; local backend only), the adapters (Kafka client, artifact store, the trainer
 * backend, the serving fleet's adapter loader), the app,
 * the probe server, signal handlers, then start. A bad config, a missing trainer or model, or a
 * failed start exits 1 with the reason.
 */
import { runStageMain } from "@isara/kafka-kit";
import { FsArtifactStore } from "@isara/store-fs";
import { createTrainingDispatchApp } from "./app.js";
import { baseModel } from "./base-model.js";
import { loadTrainingDispatchConfig } from "./config.js";
import { createLoraLoader } from "./lora-loader.js";
import { checkTrainingSetup, openTrainer } from "./trainer-process.js";

void runStageMain({
  name: "training-dispatch",
  loadConfig: () => loadTrainingDispatchConfig(),
  setupCheck: {
    // The Kubernetes backend trains in Jobs that mount the model themselves: nothing to check here.
    run: (config) =>
      config.kube === undefined ? checkTrainingSetup(config.trainer, config.baseModel.path) : undefined,
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
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      trainingTimeoutMs: config.trainingTimeoutMs,
      processMetrics: true,
    }),
});
