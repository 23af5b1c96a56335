/**
 * The training-dispatch service, built from its adapters and never listening itself: `main.ts` (or a
 * test) gives it a Kafka client, an artifact store, a way to open the trainer and the base model,
 * serves `handleHttp` on a port, and calls `start`. Start order: topics, producer, trainer, consumer;
 * each component is registered with the shutdown coordinator as it starts, so shutdown closes them in
 * reverse: the consumer first (intake stops, the running training is aborted after the drain time and
 * left uncommitted, so it is delivered again), then the trainer (any process still running is
 * killed), then the producer.
 */
import { TOPICS } from "@isara/contracts";
import type { ArtifactStore, Trainer } from "@isara/core";
import { createStageService, type StageService, type StageServiceDeps } from "@isara/kafka-kit";
import { childLogger } from "@isara/kit";
import type { BaseModel } from "./base-model.js";
import type { LoraLoader } from "./lora-loader.js";
import { createTrainingMetrics } from "./service-metrics.js";
import { createTrainWorkHandler } from "./train-work-handler.js";
import { createTrainerLogRelay } from "./trainer-log.js";

/** The consumer group of the stage, as the topic catalogue lists it. */
export const TRAINING_DISPATCH_GROUP = "training-dispatch";

/** The topics the service reads and writes, created at start when missing. */
export const TRAINING_DISPATCH_TOPICS = [TOPICS.trainWork, TOPICS.trainDone, TOPICS.trainDeadLetter] as const;

/**
 * What {@link createTrainingDispatchApp} is built from: the stage's shared deps (drain time: how long
 * a running training may go on after shutdown began before it is aborted) and these.
 */
export interface TrainingDispatchAppDeps extends StageServiceDeps {
  readonly artifacts: ArtifactStore;
  /**
   * Opens the trainer (e.g. `createSubprocessTrainer`), given where its log lines go: the app routes
   * them to the log of the training in progress. Called by `start`; closed on shutdown.
   */
  readonly openTrainer: (onLog: (line: string) => void) => Trainer;
  /** The model this replica trains. */
  readonly baseModel: BaseModel;
  /** Longest training run before it is stopped and retried. */
  readonly trainingTimeoutMs?: number;
  /** Loads each trained adapter into the serving fleet (vLLM); none = nothing to load. */
  readonly adapters?: LoraLoader;
}

/** The built service: `start` creates the topics, connects the producer, opens the trainer and joins the group. */
export type TrainingDispatchApp = StageService;

/** Builds the training-dispatch service (see the module comment). Nothing connects until `start`. */
export function createTrainingDispatchApp(deps: TrainingDispatchAppDeps): TrainingDispatchApp {
  const app = createStageService({
    ...deps,
    name: TRAINING_DISPATCH_GROUP,
    topics: TRAINING_DISPATCH_TOPICS,
    async startComponents({ own, logger, stageConsumer }) {
      const trainerLogs = createTrainerLogRelay(childLogger(deps.logger, { component: "trainer" }));
      const trainer = deps.openTrainer(trainerLogs.onLog);
      await own("trainer", () => trainer.close());
      logger.info({ baseModel: deps.baseModel.id, path: deps.baseModel.path }, "trainer ready");

      return stageConsumer(
        TOPICS.trainWork,
        createTrainWorkHandler({
          artifacts: deps.artifacts,
          trainer,
          baseModel: deps.baseModel,
          metrics: trainingMetrics,
          trainerLogs,
          ...(deps.concurrency === undefined ? {} : { concurrency: deps.concurrency }),
          ...(deps.trainingTimeoutMs === undefined ? {} : { trainingTimeoutMs: deps.trainingTimeoutMs }),
          ...(deps.adapters === undefined ? {} : { adapters: deps.adapters }),
        }),
      );
    },
  });
  const trainingMetrics = createTrainingMetrics(app.metrics);
  return app;
}
