/**
 * The filtering service's process: the only file with process effects. Config from the environment,
 * the root logger, the adapters (Kafka client, artifact store, retrieval client), the app, the probe
 * server, signal handlers, then start. A bad config or a failed start exits 1 with the reason logged.
 */
import { createServer } from "node:http";
import { kafkaLogging } from "@isara/kafka-kit";
import { createRootLogger, createShutdown, installSignalHandlers } from "@isara/kit";
import { FsArtifactStore } from "@isara/store-fs";
import { Kafka } from "kafkajs";
import { createFilteringApp } from "./app.js";
import { loadFilteringConfig } from "./config.js";
import { createRetrievalClient } from "./retrieval-client.js";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadFilteringConfig>;
  try {
    config = loadFilteringConfig();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const logger = createRootLogger({ level: config.logLevel, name: "filtering" });
  const kafka = new Kafka({
    clientId: config.kafka.clientId,
    brokers: [...config.kafka.brokers],
    ...kafkaLogging(logger),
  });
  const app = createFilteringApp({
    logger,
    kafka,
    artifacts: new FsArtifactStore({ root: config.artifactRoot }),
    retrieval: createRetrievalClient(config.retrieval),
    retry: config.retry,
    drainTimeoutMs: config.drainTimeoutMs,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
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
    logger.info("filtering service started");
  } catch (err) {
    // A signal during start: its handler shuts down and exits.
    if (shutdown.started) return;
    logger.fatal({ err }, "filtering service failed to start");
    await shutdown.shutdown("start failed");
    process.exit(1);
  }
}

void main();
