/**
 * The filtering service, built from its adapters and never listening itself: `main.ts` (or a test)
 * gives it a Kafka client, an artifact store, a retrieval client and, when configured, a way to open
 * the judge, serves `handleHttp` on a port, and calls `start`. Start order: topics, producer,
 * retrieval client, judge, consumer; each component is registered with the shutdown coordinator as it
 * starts, so shutdown closes them in reverse (consumer first: intake stops and the running pass
 * drains or aborts before the clients it uses go away).
 */
import { TOPICS } from "@isara/contracts";
import type { ArtifactStore, ChatModel } from "@isara/core";
import { createSampleJudge } from "@isara/evaluators";
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
  /**
   * Opens the judge model the `judge-score` filter asks (with the quality rubric); called by `start`,
   * and the chat model closed on shutdown. Leave out for no judge: a run whose chain names
   * `judge-score` then fails its filter pass, so tell the controller (FILTER_JUDGE) the same.
   */
  readonly openJudge?: () => ChatModel;
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
    async startComponents({ own, logger, stageConsumer }) {
      await own("retrieval-client", () => deps.retrieval.close());
      const chat = deps.openJudge?.();
      if (chat !== undefined) await own("judge", () => chat.close());
      const judge = chat === undefined ? undefined : createSampleJudge({ chat });
      if (judge !== undefined) {
        logger.info(
          { judge: judge.ref, parallelism: judge.parallelism },
          "judge ready: chains that name judge-score can run",
        );
      }
      return stageConsumer(
        TOPICS.filterWork,
        createFilterWorkHandler({
          artifacts: deps.artifacts,
          retrieval: deps.retrieval,
          metrics: filteringMetrics,
          ...(judge === undefined ? {} : { judge }),
        }),
      );
    },
  });
  const filteringMetrics = createFilteringMetrics(app.metrics);
  return app;
}
