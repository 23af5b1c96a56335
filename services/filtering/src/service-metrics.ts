import type { Counter, Histogram, Metrics } from "@isara/kit";

/** How one FilterWork ended for the service. */
export type FilterPassOutcome = "filtered" | "replayed";

/**
 * The filtering service's own Prometheus series (the stage consumer adds the Kafka ones, dead
 * letters included):
 * - `isara_filter_passes_total{outcome}`: `filtered` (the chain ran and the accepted samples were
 *   upserted), `replayed` (a redelivered work answered from the stored sets: no chain, no upsert);
 * - `isara_samples_judged_total{verdict}`: candidates judged by passes that ran, `accepted` or
 *   `rejected`, so the kept fraction of the platform shows on one graph;
 * - `isara_filter_pass_duration_seconds`: time a pass that ran took (chain, upserts, files).
 */
export interface FilteringMetrics {
  readonly passes: Counter<"outcome">;
  readonly samples: Counter<"verdict">;
  readonly duration: Histogram<string>;
}

/** Registers the {@link FilteringMetrics} series in `metrics`. */
export function createFilteringMetrics(metrics: Metrics): FilteringMetrics {
  return {
    passes: metrics.counter({
      name: "filter_passes_total",
      help: "FilterWork messages handled, by outcome (filtered, replayed from the stored sets).",
      labelNames: ["outcome"],
    }),
    samples: metrics.counter({
      name: "samples_judged_total",
      help: "Candidates judged by the filter chain, by verdict (accepted, rejected).",
      labelNames: ["verdict"],
    }),
    duration: metrics.histogram({
      name: "filter_pass_duration_seconds",
      help: "Seconds a round's filter pass took: chain, upserts to retrieval and the set files.",
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    }),
  };
}
