/**
 * The controller's process: the only file with process effects. Config from the environment, the
 * root logger, the adapters (Kafka client, artifact store, file run store, retrieval client), the app, the probe server,
 * signal handlers, in Kubernetes mode (KUBE_WATCH) the leader Lease, start (topics, producer, runs, consumer), the
 * gRPC server, then in Kubernetes mode the AlignmentRun watch. A bad config or a
 * failed start exits 1 with the reason logged.
 *
 * Shutdown (SIGTERM/SIGINT) runs in reverse start order: the gRPC server drains (NOT_SERVING, watch
 * streams ended, `tryShutdown` for up to SHUTDOWN_TIMEOUT, then forced), the consumer stops intake
 * and drains, queued run work settles, the producer and the retrieval client close, the probe server
 * closes.
 */
import { createServer } from "node:http";
import { parseRunState } from "@isara/core";
import { kafkaLogging } from "@isara/kafka-kit";
import { createRootLogger, createShutdown, installSignalHandlers } from "@isara/kit";
import { bindGrpcServer } from "@isara/kit/grpc";
import { FileRunStore, FsArtifactStore } from "@isara/store-fs";
import { Kafka } from "kafkajs";
import { createControllerApp } from "./app.js";
import { type ControllerConfig, loadControllerConfig } from "./config.js";
import { createKubeMode } from "./kube/kube-mode.js";
import { createRetrievalSeedStore } from "./seed-store.js";

async function main(): Promise<void> {
  let config: ControllerConfig;
  try {
    config = loadControllerConfig();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const logger = createRootLogger({ level: config.logLevel, name: "controller" });
  const kafka = new Kafka({
    clientId: config.kafka.clientId,
    brokers: [...config.kafka.brokers],
    ...kafkaLogging(logger),
  });
  const artifacts = new FsArtifactStore({ root: config.artifactRoot });
  const app = createControllerApp({
    logger,
    kafka,
    artifacts,
    runStore: new FileRunStore({ dir: config.artifactRoot, parse: parseRunState, layout: "folder-per-run" }),
    domainsDir: config.domainsDir,
    seeds: createRetrievalSeedStore(config.retrievalAddress),
    baseModel: config.baseModel,
    adapterReference: config.adapterReference,
    filterJudge: config.filterJudge,
    retry: config.retry,
    drainTimeoutMs: config.drainTimeoutMs,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    consumerConcurrency: config.consumerConcurrency,
    workWindow: config.workWindow,
    stallTimeoutMs: config.stallTimeoutMs,
    tenantLimits: config.tenantLimits,
    processMetrics: true,
  });
  const shutdown = createShutdown({
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    onStart: (reason) => app.startDraining(reason),
  });

  const http = createServer(app.handleHttp);
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(config.httpPort, () => resolve());
  });
  shutdown.register("http", async () => {
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections();
    await closed;
  });
  installSignalHandlers(shutdown, process, logger);
  logger.info({ port: config.httpPort }, "probe server listening");

  try {
    const kube =
      config.kube === undefined
        ? undefined
        : createKubeMode(config.kube, {
            logger,
            artifacts,
            domainsDir: config.domainsDir,
            retrievalAddress: config.retrievalAddress,
          });
    // A standby replica waits here for the Lease, serving only its probes (not ready).
    await kube?.lead(shutdown, (why) => {
      logger.fatal({ why }, "lost the leader Lease; exiting so the new leader alone runs the runs");
      void shutdown.shutdown("lost leadership").then(() => process.exit(1));
    });
    await app.start(shutdown);
    const port = await bindGrpcServer(app.server, `0.0.0.0:${config.grpcPort}`);
    // The gRPC close gets its own drain time plus a margin, so it is forced before the kit gives up on it.
    shutdown.register("grpc", () => app.closeGrpc(config.shutdownTimeoutMs), {
      timeoutMs: config.shutdownTimeoutMs + 5000,
    });
    await kube?.startRuns(app.reconciler, shutdown);
    app.markServing();
    logger.info({ grpcPort: port, httpPort: config.httpPort }, "controller serving");
  } catch (err) {
    // A signal during start: its handler shuts down and exits.
    if (shutdown.started) return;
    logger.fatal({ err }, "controller failed to start");
    await shutdown.shutdown("start failed");
    process.exit(1);
  }
}

void main();
