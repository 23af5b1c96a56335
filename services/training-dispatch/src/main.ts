/**
 * The training-dispatch service's process: the only file with process effects. Config from the
 * environment, the root logger, the setup check (trainer interpreter, base model), the adapters
 * (Kafka client, artifact store, subprocess trainer), the app, the probe server, signal handlers,
 * then start. A bad config, a missing trainer or model, or a failed start exits 1 with the reason.
 */
import { createServer } from "node:http";
import { kafkaLogging } from "@isara/kafka-kit";
import { createRootLogger, createShutdown, installSignalHandlers } from "@isara/kit";
import { FsArtifactStore } from "@isara/store-fs";
import { Kafka } from "kafkajs";
import { createTrainingDispatchApp } from "./app.js";
import { baseModel } from "./base-model.js";
import { loadTrainingDispatchConfig } from "./config.js";
import { checkTrainingSetup, openSubprocessTrainer } from "./trainer-process.js";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadTrainingDispatchConfig>;
  try {
    config = loadTrainingDispatchConfig();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const logger = createRootLogger({ level: config.logLevel, name: "training-dispatch" });
  try {
    checkTrainingSetup(config.trainer, config.baseModel.path);
  } catch (err) {
    logger.fatal({ err }, "the trainer cannot run on this replica");
    logger.flush();
    process.exitCode = 1;
    return;
  }
  const kafka = new Kafka({
    clientId: config.kafka.clientId,
    brokers: [...config.kafka.brokers],
    ...kafkaLogging(logger),
  });
  const trainerConfig = config.trainer;
  const app = createTrainingDispatchApp({
    logger,
    kafka,
    artifacts: new FsArtifactStore({ root: config.artifactRoot }),
    openTrainer: (onLog) => openSubprocessTrainer(trainerConfig, onLog),
    baseModel: baseModel(config.baseModel.path, config.baseModel.id),
    retry: config.retry,
    drainTimeoutMs: config.drainTimeoutMs,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    trainingTimeoutMs: config.trainingTimeoutMs,
    processMetrics: true,
  });
  const shutdown = createShutdown({
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    onStart: (reason) => app.health.startDraining(reason),
  });

  const server = createServer(app.handleHttp);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.httpPort, () => resolve());
  });
  shutdown.register("http", async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
  });
  installSignalHandlers(shutdown, process, logger);
  logger.info({ port: config.httpPort }, "probe server listening");

  try {
    await app.start(shutdown);
    logger.info("training-dispatch service started");
  } catch (err) {
    // A signal during start: its handler shuts down and exits.
    if (shutdown.started) return;
    logger.fatal({ err }, "training-dispatch service failed to start");
    await shutdown.shutdown("start failed");
    process.exit(1);
  }
}

void main();
