import type { Counter, Gauge, Histogram, Metrics } from "@isara/kit";

/**
 * The controller's own Prometheus series (the consumer adds kafka-kit's per-topic ones):
 * - `isara_controller_results_total{phase,outcome}`: results read, by what they did to their run —
 *   `recorded` (a slot's first result), `duplicate` (ignored: the slot had one), `stale` (an earlier
 *   phase or round), `inactive` (the run is not running), `unknown_run`;
 * - `isara_controller_work_published_total{phase}`: work messages sent, republished ones included;
 * - `isara_controller_stalled_work_total{phase}`: work messages sent again because their slot had no
 *   result within the stall timeout (a lost message or a stuck worker; alert when it grows);
 * - `isara_controller_phases_completed_total{phase}`;
 * - `isara_controller_run_failures_total{source}`: runs failed by a stage's `dead_letter`, a stage's
 *   `result`, or a `controller_dead_letter` (a result the controller could never apply);
 * - `isara_controller_runs{lifecycle}`: runs held, by lifecycle (queued, running, done, failed, cancelled);
 * - `isara_controller_queued_runs{tenant}`: runs waiting for admission, per tenant (`""` = runs
 *   without a tenant); set by the reconciler whenever a tenant's queue changes;
 * - `isara_controller_queue_wait_seconds`: how long each admitted run waited in its tenant's queue;
 * - `isara_controller_grpc_calls_total{method,code}`: ControllerService calls by gRPC status.
 */
export interface ControllerMetrics {
  readonly results: Counter<"phase" | "outcome">;
  readonly workPublished: Counter<"phase">;
  readonly stalledWork: Counter<"phase">;
  readonly phasesCompleted: Counter<"phase">;
  readonly runFailures: Counter<"source">;
  readonly runs: Gauge<"lifecycle">;
  readonly queuedRuns: Gauge<"tenant">;
  readonly queueWait: Histogram;
  readonly calls: Counter<"method" | "code">;
}

/**
 * Registers the {@link ControllerMetrics} series in `metrics`; `countRuns` is asked on every scrape
 * for the number of runs per lifecycle.
 */
export function createControllerMetrics(
  metrics: Metrics,
  countRuns: () => Readonly<Record<string, number>>,
): ControllerMetrics {
  return {
    results: metrics.counter({
      name: "controller_results_total",
      help: "Results and dead letters read, by phase and by what they did to their run.",
      labelNames: ["phase", "outcome"],
    }),
    workPublished: metrics.counter({
      name: "controller_work_published_total",
      help: "Work messages published, by phase (republished outstanding work included).",
      labelNames: ["phase"],
    }),
    stalledWork: metrics.counter({
      name: "controller_stalled_work_total",
      help: "Work messages published again because their slot had no result within STALL_TIMEOUT, by phase.",
      labelNames: ["phase"],
    }),
    phasesCompleted: metrics.counter({
      name: "controller_phases_completed_total",
      help: "Phases completed (core phase-completed events applied), by phase.",
      labelNames: ["phase"],
    }),
    runFailures: metrics.counter({
      name: "controller_run_failures_total",
      help: "Runs failed, by source (a stage's dead letter, or a stage's result with an error).",
      labelNames: ["source"],
    }),
    runs: metrics.gauge({
      name: "controller_runs",
      help: "Runs this controller holds, by lifecycle.",
      labelNames: ["lifecycle"],
      collect() {
        for (const lifecycle of ["queued", "running", "done", "failed", "cancelled"]) {
          this.set({ lifecycle }, countRuns()[lifecycle] ?? 0);
        }
      },
    }),
    queuedRuns: metrics.gauge({
      name: "controller_queued_runs",
      help: "Runs waiting for admission (their tenant runs as many runs as it may), per tenant.",
      labelNames: ["tenant"],
    }),
    queueWait: metrics.histogram({
      name: "controller_queue_wait_seconds",
      help: "Time each run waited in its tenant's queue before it started.",
      buckets: [1, 10, 60, 300, 900, 1800, 3600, 7200, 14_400, 43_200, 86_400],
    }),
    calls: metrics.counter({
      name: "controller_grpc_calls_total",
      help: "ControllerService calls, by method and gRPC status code.",
      labelNames: ["method", "code"],
    }),
  };
}
