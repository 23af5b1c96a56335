/**
 * The retrieval service's Prometheus metrics. Names follow Prometheus practice (unit suffix, `_total`
 * for counters); labels are bounded (method names, status codes, strategies), never run ids, so the
 * number of series does not grow with the number of runs.
 */
import type { Counter, Histogram, Metrics } from "@isara/kit";

/** The metrics the gRPC handlers record. */
export interface RetrievalMetrics {
  /** Calls by method and gRPC status code name (`OK`, `INVALID_ARGUMENT`, ...). */
  readonly calls: Counter<"method" | "code">;
  /** Call duration by method, in seconds. */
  readonly callSeconds: Histogram<"method">;
  /** Texts embedded, by Embed and by Upsert or SelectDemos embedding prompts themselves. */
  readonly textsEmbedded: Counter;
  /** Samples written by Upsert. */
  readonly samplesUpserted: Counter;
  /** Samples removed by DeleteRunSamples (deleted runs). */
  readonly samplesDeleted: Counter;
  /** Demos returned by SelectDemos, by strategy (`random`, `nearest`). */
  readonly demosSelected: Counter<"strategy">;
}

/** Registers the retrieval metrics in `metrics`. */
export function createRetrievalMetrics(metrics: Metrics): RetrievalMetrics {
  return {
    calls: metrics.counter({
      name: "grpc_server_calls_total",
      help: "gRPC calls handled, by method and status code.",
      labelNames: ["method", "code"],
    }),
    callSeconds: metrics.histogram({
      name: "grpc_server_call_duration_seconds",
      help: "Time to handle a gRPC call, by method.",
      labelNames: ["method"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    textsEmbedded: metrics.counter({
      name: "retrieval_texts_embedded_total",
      help: "Texts embedded by the service's embedding model.",
    }),
    samplesUpserted: metrics.counter({
      name: "retrieval_samples_upserted_total",
      help: "Samples inserted or replaced in the vector store.",
    }),
    samplesDeleted: metrics.counter({
      name: "retrieval_samples_deleted_total",
      help: "Samples deleted from the vector store with their run.",
    }),
    demosSelected: metrics.counter({
      name: "retrieval_demos_selected_total",
      help: "Demos returned by SelectDemos, by strategy.",
      labelNames: ["strategy"],
    }),
  };
}
