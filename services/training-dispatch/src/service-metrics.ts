import type { Counter, Gauge, Histogram, Metrics } from "@isara/kit";

/** How one TrainWork ended for the service. */
export type TrainingOutcome = "trained" | "replayed" | "failed";

/**
 * The training-dispatch service's own Prometheus series (the stage consumer adds the Kafka ones,
 * dead letters and retries included):
 * - `isara_trainings_total{outcome}`: `trained` (the trainer ran to the end), `replayed` (a
 *   redelivered work answered from its completion record, no training), `failed` (reported as
 *   `TrainDone.error`);
 * - `isara_training_duration_seconds{outcome}`: wall time of trainer runs (`trained` or `failed`);
 * - `isara_training_steps_total`: optimiser steps reported by the trainer, to see a long run move;
 * - `isara_training_in_progress`: 1 while this replica trains (it trains one round at a time).
 */
export interface TrainingMetrics {
  readonly trainings: Counter<"outcome">;
  readonly duration: Histogram<"outcome">;
  readonly steps: Counter;
  readonly inProgress: Gauge;
}

/** Registers the {@link TrainingMetrics} series in `metrics`. */
export function createTrainingMetrics(metrics: Metrics): TrainingMetrics {
  return {
    trainings: metrics.counter({
      name: "trainings_total",
      help: "TrainWork messages handled, by outcome (trained, replayed from the completion record, failed).",
      labelNames: ["outcome"],
    }),
    duration: metrics.histogram({
      name: "training_duration_seconds",
      help: "Seconds a trainer run took, by outcome (trained, failed).",
      labelNames: ["outcome"],
      buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 3600, 7200, 14_400, 43_200],
    }),
    steps: metrics.counter({
      name: "training_steps_total",
      help: "Optimiser steps the trainer reported.",
    }),
    inProgress: metrics.gauge({
      name: "training_in_progress",
      help: "Trainings this replica runs now (at most its STAGE_CONCURRENCY).",
    }),
  };
}
