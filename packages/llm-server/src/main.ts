#!/usr/bin/env node
/**
 * `isara-llm-server`: the only file with process effects (argv, stdout, signals, exit codes). Parses
 * the flags, loads the model, builds the app, listens, prints the URL on one line of stdout (logs go
 * to stderr, so a script can read the URL), and on SIGINT/SIGTERM stops taking requests, lets the
 * running ones finish, then frees the model.
 */
import { isIsaraError } from "@isara/core";
import { createRootLogger, createShutdown, installSignalHandlers } from "@isara/kit";
import { createLlamaLlm } from "@isara/llm-llama";
import { createLlmServerApp } from "./app.js";
import { createChatFormatter } from "./chat-formatter.js";
import { readChatTemplate } from "./chat-template-file.js";
import { parseServerArgs, type ServerConfig, USAGE } from "./cli-args.js";
import { checkAdapterFiles } from "./served-models.js";

/** Time each component gets to close: enough for running completions of a small model to finish. */
const CLOSE_TIMEOUT_MS = 30_000;

async function main(config: ServerConfig): Promise<void> {
  const logger = createRootLogger({
    level: config.logLevel,
    name: "llm-server",
    destination: process.stderr,
  });
  const shutdown = createShutdown({ logger, timeoutMs: CLOSE_TIMEOUT_MS });
  installSignalHandlers(shutdown, process, logger);
  try {
    await checkAdapterFiles(config.modelPath, config.adapters);
    const template = await readChatTemplate(config.modelPath);
    const chatFormatter = template === undefined ? undefined : createChatFormatter(template);
    if (chatFormatter === undefined)
      logger.warn({ model: config.modelPath }, "no chat template; chat disabled");
    const llm = await createLlamaLlm({
      modelPath: config.modelPath,
      specialTokens: true,
      ...(config.parallel === undefined ? {} : { parallelism: config.parallel }),
      ...(config.contextSize === undefined ? {} : { contextSize: config.contextSize }),
      ...(config.threads === undefined ? {} : { threads: config.threads }),
      ...(config.modelName === undefined ? {} : { modelId: config.modelName }),
    });
    shutdown.register("llm", () => llm.close());
    const app = createLlmServerApp({
      llm,
      tokenizer: llm,
      modelName: llm.modelId,
      adapters: config.adapters,
      logger,
      ...(chatFormatter === undefined ? {} : { chatFormatter }),
    });
    shutdown.register("http", () => app.close());
    const url = await app.listen({ host: config.host, port: config.port });
    logger.info({ url, model: llm.modelId, adapters: Object.keys(config.adapters) }, "listening");
    process.stdout.write(`${url}\n`);
  } catch (err) {
    logger.fatal({ err }, "the server could not start");
    process.stderr.write(
      `isara-llm-server: ${isIsaraError(err) ? err.message : "could not start; see the log above"}\n`,
    );
    await shutdown.shutdown("start failed");
    process.exitCode = 1;
  }
}

let config: ServerConfig | undefined;
try {
  config = parseServerArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${isIsaraError(err) ? err.message : String(err)}\n`);
  process.exitCode = 2;
}
if (config?.help === true) process.stdout.write(`${USAGE}\n`);
else if (config !== undefined) await main(config);
