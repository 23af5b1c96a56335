/**
 * The generation service's process, run by kafka-kit's `runStageMain`: the only file with process
 * effects. Config from the environment, the root logger, the adapters (Kafka client, artifact store,
 * retrieval client, LLM loader), the app, the probe server, signal handlers, then start. A bad
 * config or a failed start exits 1 with the reason logged.
 */
import { runStageMain } from "@isara/kafka-kit";
import { childLogger } from "@isara/kit";
import { createLlmBackend } from "@isara/llm-backends";
import { FsArtifactStore } from "@isara/store-fs";
import { createGenerationApp } from "./app.js";
import { loadGenerationConfig } from "./config.js";
import { createRetrievalDemoSource } from "./demo-source.js";

void runStageMain({
  name: "generation",
  loadConfig: () => loadGenerationConfig(),
  createApp: ({ config, logger, kafka }) => {
    const artifacts = new FsArtifactStore({ root: config.artifactRoot });
    return createGenerationApp({
      logger,
      kafka,
      artifacts,
      demos: createRetrievalDemoSource(config.retrieval),
      loadBackend: () =>
        createLlmBackend(config.llm, artifacts, { logger: childLogger(logger, { component: "llm" }) }),
      retry: config.retry,
      drainTimeoutMs: config.drainTimeoutMs,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      processMetrics: true,
    });
  },
});
