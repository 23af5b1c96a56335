/**
 * The retrieval service's process: the only file with process effects. Config from the environment,
 * the root logger, the embedder and the vector store, the app, the probe server, the gRPC server,
 * signal handlers. A bad config or a failed start exits 1 with the reason logged.
 *
 * Shutdown (SIGTERM/SIGINT) runs in reverse start order: the gRPC server drains (NOT_SERVING, then
 * `tryShutdown` for up to SHUTDOWN_TIMEOUT, then `forceShutdown`), the probe server closes, then the
 * embedder and the store are closed.
 */
import { createServer } from "node:http";
import { createRootLogger, createShutdown, installSignalHandlers } from "@isara/kit";
import { bindGrpcServer } from "@isara/kit/grpc";
import { createRetrievalApp } from "./app.js";
import { openEmbedder, openStore } from "./backends.js";
import { loadRetrievalConfig, type RetrievalConfig } from "./config.js";

async function main(): Promise<void> {
  let config: RetrievalConfig;
  try {
    config = loadRetrievalConfig();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const logger = createRootLogger({ level: config.logLevel, name: "retrieval" });
  let draining: ((reason: string) => void) | undefined;
  const shutdown = createShutdown({
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    onStart: (reason) => draining?.(reason),
  });
  installSignalHandlers(shutdown, process, logger);

  try {
    const embedder = await openEmbedder(config.embedder);
    shutdown.register("embedder", () => embedder.close());
    logger.info({ model: embedder.modelId, dimension: embedder.dimension }, "embedding model loaded");
    if (config.embedder.backend === "hashing") {
      logger.warn("EMBEDDER_BACKEND=hashing: vectors are not semantic, demos match by shared words only");
    }

    const opened = await openStore(config.store, embedder.dimension);
    shutdown.register("vector-store", () => opened.store.close());
    logger.info({ store: opened.location }, "vector store open");

    const app = createRetrievalApp({
      logger,
      store: opened.store,
      embedder,
      ...(opened.probe === undefined ? {} : { storeProbe: opened.probe }),
      processMetrics: true,
    });
    draining = (reason) => app.startDraining(reason);

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

    const port = await bindGrpcServer(app.server, `0.0.0.0:${config.grpcPort}`);
    // The gRPC close gets its own drain time plus a margin, so it is forced before the kit gives up on it.
    shutdown.register("grpc", () => app.closeGrpc(config.shutdownTimeoutMs), {
      timeoutMs: config.shutdownTimeoutMs + 5000,
    });
    app.markServing();
    logger.info({ grpcPort: port, httpPort: config.httpPort }, "retrieval service serving");
  } catch (err) {
    // A signal during start: its handler shuts down what started and exits.
    if (shutdown.started) return;
    logger.fatal({ err }, "retrieval service failed to start");
    await shutdown.shutdown("start failed");
    process.exit(1);
  }
}

void main();
