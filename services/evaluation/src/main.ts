/**
 * The evaluation service's process, run by kafka-kit's `runStageMain`: the only file with process
 * effects. Config from the environment, the root logger, the adapters (Kafka client, artifact store,
 * LLM loader, the judge when one is configured), the app, the probe server, signal handlers, then
 * start. A bad config or a failed start exits 1 with the reason logged.
 */
import { runStageMain } from "@isara/kafka-kit";
import { childLogger } from "@isara/kit";
import { createLlmBackend } from "@isara/llm-backends";
import { FsArtifactStore } from "@isara/store-fs";
import { createEvaluationApp } from "./app.js";
import { loadEvaluationConfig } from "./config.js";
import { openJudge } from "./judge.js";

void runStageMain({
  name: "evaluation",
  loadConfig: () => loadEvaluationConfig(),
  createApp: ({ config, logger, kafka }) => {
    const artifacts = new FsArtifactStore({ root: config.artifactRoot });
    const judgeConfig = config.judge;
    return createEvaluationApp({
      logger,
      kafka,
      artifacts,
      loadBackend: () =>
        createLlmBackend(config.llm, artifacts, { logger: childLogger(logger, { component: "llm" }) }),
      ...(judgeConfig === undefined
        ? {}
        : { openJudge: () => openJudge(judgeConfig, childLogger(logger, { component: "judge" })) }),
      retry: config.retry,
      drainTimeoutMs: config.drainTimeoutMs,
      concurrency: config.concurrency,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      processMetrics: true,
    });
  },
});
