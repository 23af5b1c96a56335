import type { Counter, Metrics } from "@isara/kit";
import { type ConsumerLag, type ConsumerLagOptions, createConsumerLag } from "./consumer-lag.js";

/** How a stage finished with one message. */
export type MessageOutcome = "done" | "dead_lettered" | "interrupted";

/**
 * The Prometheus series every stage consumer keeps, made once per registry and shared by the stage
 * consumers of a service (a second registration of the same name would fail):
 * - `<prefix>kafka_messages_total{topic, outcome}`: messages finished as done, dead-lettered, or
 *   interrupted by shutdown (left uncommitted for redelivery);
 * - `<prefix>kafka_retries_total{topic, code}`: tries that failed with a retryable error;
 * - `<prefix>dead_letters_total{topic, code}`: messages sent to the dead-letter topic, by the error
 *   code of the last try (`invalid_argument` = poison, `unavailable` = retries used up, ...);
 * - `<prefix>kafka_consumer_lag{group, topic, partition}`: messages each partition's group has not
 *   committed yet, read from the broker on scrape (cached a few seconds) for every consumer loop
 *   running with these metrics (see `consumer-lag.ts`; aggregate replicas with `max`).
 */
export interface StageMetrics {
  readonly messages: Counter<"topic" | "outcome">;
  readonly retries: Counter<"topic" | "code">;
  readonly deadLetters: Counter<"topic" | "code">;
  /** The consumer lag gauge; a consumer loop given these metrics registers its group with it while it runs. */
  readonly consumerLag?: ConsumerLag;
}

/** Registers the {@link StageMetrics} series in `metrics`; `lag` tunes the lag gauge's cache (tests). */
export function createStageMetrics(metrics: Metrics, lag: ConsumerLagOptions = {}): StageMetrics {
  return {
    messages: metrics.counter({
      name: "kafka_messages_total",
      help: "Kafka messages a stage finished with, by topic and outcome (done, dead_lettered, interrupted).",
      labelNames: ["topic", "outcome"],
    }),
    retries: metrics.counter({
      name: "kafka_retries_total",
      help: "Tries of a Kafka message that failed with a retryable error and were retried, by topic and error code.",
      labelNames: ["topic", "code"],
    }),
    deadLetters: metrics.counter({
      name: "dead_letters_total",
      help: "Messages a stage gave up on and sent to its dead-letter topic, by topic and error code.",
      labelNames: ["topic", "code"],
    }),
    consumerLag: createConsumerLag(metrics, lag),
  };
}
