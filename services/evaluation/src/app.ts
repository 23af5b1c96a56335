/**
 * The evaluation service, built from its adapters and never listening itself: `main.ts` (or a test)
 * gives it a Kafka client, an artifact store and a way to load the LLM, serves `handleHttp` on a
 * port, and calls `start`. Start order: topics, producer, model, judge (when configured), consumer;
 * each component is registered with the shutdown coordinator as it starts, so shutdown closes them in
 * reverse (consumer first: intake stops and the running evaluation drains or aborts before the judge,
 * model and producer it uses go away).
 */
import { TOPICS } from "@isara/contracts";
import type { ArtifactStore } from "@isara/core";
import { rubricRef } from "@isara/evaluators";
import { createStageService, type StageService, type StageServiceDeps } from "@isara/kafka-kit";
import type { LlmBackend } from "@isara/llm-backends";
import { createEvalWorkHandler } from "./eval-work-handler.js";
import type { Judge } from "./judge.js";
import { createEvaluationMetrics } from "./service-metrics.js";

/** The consumer group of the stage, as the topic catalogue lists it. */
export const EVALUATION_GROUP = "evaluation";

/** The topics the service reads and writes, created at start when missing. */
export const EVALUATION_TOPICS = [TOPICS.evalWork, TOPICS.evalDone, TOPICS.evalDeadLetter] as const;

/** What {@link createEvaluationApp} is built from: the stage's shared deps (drain time: of a running evaluation) and these. */
export interface EvaluationAppDeps extends StageServiceDeps {
  readonly artifacts: ArtifactStore;
  /** Loads the model (slow); called by `start` after Kafka is reachable. */
  readonly loadBackend: () => Promise<LlmBackend>;
  /**
   * Opens the judge that scores every answer beside the reference metric; called by `start` after
   * the model loaded, and its chat model closed on shutdown. Leave out for reference metrics only.
   */
  readonly openJudge?: () => Judge;
}

/** The built service: `start` creates the topics, connects the producer, loads the model and joins the group. */
export type EvaluationApp = StageService;

/** Builds the evaluation service (see the module comment). Nothing connects until `start`. */
export function createEvaluationApp(deps: EvaluationAppDeps): EvaluationApp {
  let backend: LlmBackend | undefined;
  const app = createStageService({
    ...deps,
    name: EVALUATION_GROUP,
    topics: EVALUATION_TOPICS,
    checks: {
      model: () => {
        if (backend === undefined) throw new Error("the model is not loaded yet");
        return `serving ${backend.llm.modelId}`;
      },
    },
    async startComponents({ own, logger, stageConsumer }) {
      const loaded = await deps.loadBackend();
      await own("llm", () => loaded.llm.close());
      backend = loaded;
      logger.info({ model: loaded.llm.modelId, parallelism: loaded.llm.parallelism }, "model loaded");

      const judge = deps.openJudge?.();
      if (judge !== undefined) {
        await own("judge", () => judge.chat.close());
        logger.info(
          {
            judge: judge.chat.modelId,
            parallelism: judge.chat.parallelism,
            rubrics: judge.rubrics.map(rubricRef),
          },
          "judge ready: answers are also scored by the judge",
        );
      }

      return stageConsumer(
        TOPICS.evalWork,
        createEvalWorkHandler({
          artifacts: deps.artifacts,
          backend: loaded,
          ...(judge === undefined ? {} : { judge }),
          metrics: evaluationMetrics,
        }),
      );
    },
  });
  const evaluationMetrics = createEvaluationMetrics(app.metrics);
  return app;
}
