/**
 * The filtering service, built from its adapters and never listening itself: `main.ts` (or a test)
 * gives it a Kafka client, an artifact store and a retrieval client, serves `handleHttp` on a port,
 * and calls `start`. Start order: topics, producer, retrieval client, consumer; each component is
 * registered with the shutdown coordinator as it starts, so shutdown closes them in reverse (consumer
 * first: intake stops and the running pass drains or aborts before the clients it uses go away).
 */
import { TOPICS } from "@isara/contracts";
import type { ArtifactStore } from "@isara/core";
import { createStageService, type StageService, type StageServiceDeps } from "@isara/kafka-kit";
import { createFilterWorkHandler } from "./filter-work-handler.js";
import type { RetrievalClient } from "./retrieval-client.js";
import { createFilteringMetrics } from "./service-metrics.js";

/** The consumer group of the stage, as the topic catalogue lists it. */
export const FILTERING_GROUP = "filtering";

/** The topics the service reads and writes, created at start when missing. */
export const FILTERING_TOPICS = [TOPICS.filterWork, TOPICS.sampleJudged, TOPICS.filterDeadLetter] as const;

/** What {@link createFilteringApp} is built from: the stage's shared deps (drain time: of a running pass) and these. */
export interface FilteringAppDeps extends StageServiceDeps {
  readonly artifacts: ArtifactStore;
  /** The retrieval service's client; the app closes it on shutdown. */
  readonly retrieval: RetrievalClient;
}

/** The built service: `start` creates the topics, connects the producer and joins the consumer group. */
export type FilteringApp = StageService;

/** Builds the filtering service (see the module comment). Nothing connects until `start`. */
export function createFilteringApp(deps: FilteringAppDeps): FilteringApp {
  const app = createStageService({
    ...deps,
    name: FILTERING_GROUP,
    topics: FILTERING_TOPICS,
    checks: { retrieval: () => deps.retrieval.readiness() },
    async startComponents({ own, stageConsumer }) {
      await own("retrieval-client", () => deps.retrieval.close());
      return stageConsumer(
        TOPICS.filterWork,
        createFilterWorkHandler({
          artifacts: deps.artifacts,
          retrieval: deps.retrieval,
          metrics: filteringMetrics,
        }),
      );
    },
  });
  const filteringMetrics = createFilteringMetrics(app.metrics);
  return app;
}
