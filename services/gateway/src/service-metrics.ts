import type { Counter, Gauge, Histogram, Metrics } from "@isara/kit";

/**
 * The gateway's Prometheus series (every one has `service="gateway"`):
 * - `isara_http_requests_total{method,route,status}`: answered requests, by route template (never the
 *   raw URL, so run ids do not explode the label set); unmatched paths count under `route="unmatched"`;
 * - `isara_http_request_duration_seconds{method,route}`: time to answer (event streams excluded: they
 *   last as long as the run);
 * - `isara_controller_calls_total{method,code}`: controller gRPC calls by outcome (`ok` or the error code);
 * - `isara_event_streams_open`: event streams being served now.
 */
export interface GatewayMetrics {
  readonly requests: Counter<"method" | "route" | "status">;
  readonly duration: Histogram<"method" | "route">;
  readonly controllerCalls: Counter<"method" | "code">;
  readonly streams: Gauge;
}

/** Registers the {@link GatewayMetrics} series in `metrics`. */
export function createGatewayMetrics(metrics: Metrics): GatewayMetrics {
  return {
    requests: metrics.counter({
      name: "http_requests_total",
      help: "HTTP requests answered, by method, route template and status.",
      labelNames: ["method", "route", "status"],
    }),
    duration: metrics.histogram({
      name: "http_request_duration_seconds",
      help: "Seconds to answer an HTTP request, by method and route template (event streams excluded).",
      labelNames: ["method", "route"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    controllerCalls: metrics.counter({
      name: "controller_calls_total",
      help: "Controller gRPC calls, by method and outcome (ok or the platform error code).",
      labelNames: ["method", "code"],
    }),
    streams: metrics.gauge({ name: "event_streams_open", help: "Run event streams being served now." }),
  };
}
