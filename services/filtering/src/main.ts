/**
 * The filtering service's process, run by kafka-kit's `runStageMain`: the only file with process
 * effects. Config from the environment, the root logger, the adapters (Kafka client, artifact store,
 * retrieval client, the judge when one is configured), the app, the probe server, signal handlers,
 * then start. A bad config or a
 * failed start exits 1 with the reason logged.
 */
import { runStageMain } from "@isara/kafka-kit";
import { childLogger } from "@isara/kit";
import { openJudgeChat } from "@isara/llm-backends/judge";
import { FsArtifactStore } from "@isara/store-fs";
import { createFilteringApp } from "./app.js";
import { loadFilteringConfig } from "./config.js";
import { createRetrievalClient } from "./retrieval-client.js";

void runStageMain({
  name: "filtering",
  loadConfig: () => loadFilteringConfig(),
  createApp: ({ config, logger, kafka }) => {
    const judge = config.judge;
    return createFilteringApp({
      logger,
      kafka,
      artifacts: new FsArtifactStore({ root: config.artifactRoot }),
      retrieval: createRetrievalClient(config.retrieval),
      ...(judge === undefined
        ? {}
        : { openJudge: () => openJudgeChat(judge, childLogger(logger, { component: "judge" })) }),
      retry: config.retry,
      drainTimeoutMs: config.drainTimeoutMs,
      concurrency: config.concurrency,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      processMetrics: true,
    });
  },
});
