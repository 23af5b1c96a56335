import type { Counter, Gauge, Histogram, Metrics } from "@isara/kit";

/** How one work message ended for the service. */
export type SlotOutcome = "written" | "replayed";

/**
 * The generation service's own Prometheus series (the consumer adds the Kafka ones, dead letters
 * included):
 * - `isara_generation_slots_total{stage, outcome}`: slots handled per stage (`prompts`, `answers`),
 *   `written` (the model ran) or `replayed` (a redelivered work answered from its record, no call);
 * - `isara_generation_duration_seconds{stage}`: time to write one slot (demo choice and completion);
 * - `isara_generation_in_flight`: work messages being handled now (at most the LLM's parallelism),
 *   next to consumer lag the signal to scale replicas on.
 */
export interface GenerationMetrics {
  readonly slots: Counter<"stage" | "outcome">;
  readonly duration: Histogram<"stage">;
  readonly inFlight: Gauge<never>;
}

/** Registers the {@link GenerationMetrics} series in `metrics`. */
export function createGenerationMetrics(metrics: Metrics): GenerationMetrics {
  return {
    slots: metrics.counter({
      name: "generation_slots_total",
      help: "Work messages handled, by stage (prompts, answers) and outcome (written by the model, replayed from its record).",
      labelNames: ["stage", "outcome"],
    }),
    duration: metrics.histogram({
      name: "generation_duration_seconds",
      help: "Seconds to write one slot (demo choice and completion), by stage.",
      labelNames: ["stage"],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    }),
    inFlight: metrics.gauge({
      name: "generation_in_flight",
      help: "Work messages being handled now.",
    }),
  };
}
