import type { Counter, Histogram, Metrics } from "@isara/kit";

/** How one EvalWork ended for the service. */
export type EvaluationOutcome = "evaluated" | "replayed" | "failed";

/**
 * The evaluation service's own Prometheus series (the stage consumer adds the Kafka ones, dead
 * letters included):
 * - `isara_evaluations_total{outcome}`: `evaluated` (the model ran), `replayed` (a redelivered work
 *   answered from its stored results, no model call), `failed` (reported as `EvalDone.error`);
 * - `isara_evaluation_duration_seconds{outcome}`: time the model took over the eval set, for
 *   evaluations that ran (`evaluated` or `failed`).
 */
export interface EvaluationMetrics {
  readonly evaluations: Counter<"outcome">;
  readonly duration: Histogram<"outcome">;
}

/** Registers the {@link EvaluationMetrics} series in `metrics`. */
export function createEvaluationMetrics(metrics: Metrics): EvaluationMetrics {
  return {
    evaluations: metrics.counter({
      name: "evaluations_total",
      help: "EvalWork messages handled, by outcome (evaluated, replayed from stored results, failed).",
      labelNames: ["outcome"],
    }),
    duration: metrics.histogram({
      name: "evaluation_duration_seconds",
      help: "Seconds spent evaluating a model on a run's eval set, by outcome (evaluated, failed).",
      labelNames: ["outcome"],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600],
    }),
  };
}
