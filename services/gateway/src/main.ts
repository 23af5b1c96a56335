/**
 * The gateway's process: the only file with process effects. Config from the environment, the token
 * table (from the variable or its file), the root logger, the controller client and artifact store,
 * the app, then listen and wire signals. A bad config or a failed start exits 1 with the reason.
 * Shutdown closes the HTTP server first (readiness fails, open event streams end, in-flight requests
 * finish), then the controller client.
 */
import { readFileSync } from "node:fs";
import { credentials } from "@grpc/grpc-js";
import { ControllerServiceClient } from "@isara/contracts";
import { createRootLogger, createShutdown, installSignalHandlers } from "@isara/kit";
import { FsArtifactStore } from "@isara/store-fs";
import { createGatewayApp } from "./app.js";
import { artifactVolumeCheck } from "./artifact-volume.js";
import { type GatewayConfig, loadGatewayConfig } from "./config.js";
import { parseTokenTable, type TokenTable } from "./token-table.js";

function loadTokens(config: GatewayConfig): TokenTable {
  const source = config.tokens;
  if (source.kind === "inline") return parseTokenTable(source.text, "GATEWAY_TOKENS");
  return parseTokenTable(readFileSync(source.path, "utf8"), `GATEWAY_TOKENS_FILE (${source.path})`);
}

async function main(): Promise<void> {
  let config: GatewayConfig;
  let tokens: TokenTable;
  try {
    config = loadGatewayConfig();
    tokens = loadTokens(config);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const logger = createRootLogger({ level: config.logLevel, name: "gateway" });
  const controller = new ControllerServiceClient(config.controller.address, credentials.createInsecure());
  const artifacts = new FsArtifactStore({ root: config.artifactRoot });
  const app = createGatewayApp({
    logger,
    controller,
    artifacts,
    artifactsReady: artifactVolumeCheck(artifacts.root),
    tokens,
    bodyLimit: config.http.bodyLimit,
    controllerTimeoutMs: config.controller.timeoutMs,
    sseHeartbeatMs: config.sseHeartbeatMs,
    processMetrics: true,
  });
  const shutdown = createShutdown({
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    onStart: (reason) => app.health.startDraining(reason),
  });
  shutdown.register("controller-client", () => controller.close());
  try {
    await app.server.listen({ port: config.http.port, host: config.http.host });
  } catch (err) {
    logger.fatal({ err }, "gateway failed to start");
    await shutdown.shutdown("start failed");
    process.exit(1);
  }
  shutdown.register("http", () => app.server.close());
  installSignalHandlers(shutdown, process, logger);
  logger.info(
    { port: config.http.port, controller: config.controller.address, tenants: tokens.tenants },
    "gateway listening",
  );
}

void main();
