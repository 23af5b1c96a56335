import { createServer } from "node:http";
import { createRootLogger, createShutdown, installSignalHandlers, type Logger } from "@isara/kit";
import { Kafka } from "kafkajs";
import { kafkaLogging } from "./kafka-logging.js";
import type { StageService } from "./stage-service.js";
import type { StageServiceConfig } from "./stage-service-env.js";

/** What a stage service's `createApp` gets: its config, the root logger and the Kafka client. */
export interface StageMainContext<C extends StageServiceConfig> {
  readonly config: C;
  readonly logger: Logger;
  /** Built from `config.kafka`, logging through `logger`; not connected yet. */
  readonly kafka: Kafka;
}

/** What {@link runStageMain} runs. */
export interface StageMainOptions<C extends StageServiceConfig> {
  /** The service's name: the root logger's name and the subject of "<name> service started". */
  readonly name: string;
  /** Reads the config from the environment; throws with every problem listed. */
  readonly loadConfig: () => C;
  /**
   * A check that the replica can work at all (e.g. the trainer's interpreter and model exist), run
   * after the logger exists and before anything connects; when `run` throws, `failure` is logged as
   * fatal with the error and the process exits 1.
   */
  readonly setupCheck?: { readonly run: (config: C) => void; readonly failure: string };
  /** Builds the app from its adapters; nothing may connect before `start`. */
  readonly createApp: (context: StageMainContext<C>) => StageService;
}

/**
 * A stage service's process, the only place with process effects, in the order every stage needs:
 * config from the environment (a bad one prints every problem to stderr and exits 1, before any log
 * line, so an operator sees the list plainly), the root logger, the setup check, the Kafka client,
 * the app, the shutdown coordinator (which marks the app draining when it begins), the probe server
 * on HTTP_PORT, signal handlers, then start. A failed start is logged as fatal, everything started
 * is closed and the process exits 1; a signal during start leaves the exit to its handler.
 */
export async function runStageMain<C extends StageServiceConfig>(
  options: StageMainOptions<C>,
): Promise<void> {
  let config: C;
  try {
    config = options.loadConfig();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const logger = createRootLogger({ level: config.logLevel, name: options.name });
  if (options.setupCheck !== undefined) {
    try {
      options.setupCheck.run(config);
    } catch (err) {
      logger.fatal({ err }, options.setupCheck.failure);
      logger.flush();
      process.exitCode = 1;
      return;
    }
  }
  const kafka = new Kafka({
    clientId: config.kafka.clientId,
    brokers: [...config.kafka.brokers],
    ...kafkaLogging(logger),
  });
  const app = options.createApp({ config, logger, kafka });
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
    logger.info(`${options.name} service started`);
  } catch (err) {
    // A signal during start: its handler shuts down and exits.
    if (shutdown.started) return;
    logger.fatal({ err }, `${options.name} service failed to start`);
    await shutdown.shutdown("start failed");
    process.exit(1);
  }
}
