/**
 * The training-dispatch service's process, run by kafka-kit's `runStageMain`: the only file with
 * process effects. Config from the environment, the root logger, the setup check (trainer
 * interpreter, base model), the adapters (Kafka client, artifact store, subprocess trainer), the app,
 * the probe server, signal handlers, then start. A bad config, a missing trainer or model, or a
 * failed start exits 1 with the reason.
 */
import { runStageMain } from "@isara/kafka-kit";
import { FsArtifactStore } from "@isara/store-fs";
import { createTrainingDispatchApp } from "./app.js";
import { baseModel } from "./base-model.js";
import { loadTrainingDispatchConfig } from "./config.js";
import { checkTrainingSetup, openSubprocessTrainer } from "./trainer-process.js";

void runStageMain({
  name: "training-dispatch",
  loadConfig: () => loadTrainingDispatchConfig(),
  setupCheck: {
    run: (config) => checkTrainingSetup(config.trainer, config.baseModel.path),
    failure: "the trainer cannot run on this replica",
  },
  createApp: ({ config, logger, kafka }) =>
    createTrainingDispatchApp({
      logger,
      kafka,
      artifacts: new FsArtifactStore({ root: config.artifactRoot }),
      openTrainer: (onLog) => openSubprocessTrainer(config.trainer, onLog),
      baseModel: baseModel(config.baseModel.path, config.baseModel.id),
      retry: config.retry,
      drainTimeoutMs: config.drainTimeoutMs,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      trainingTimeoutMs: config.trainingTimeoutMs,
      processMetrics: true,
    }),
});
