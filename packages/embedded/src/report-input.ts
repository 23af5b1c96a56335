import type { MetricsFile } from "@isara/contracts";
import type { RunState } from "@isara/core";
import type { ReportInput } from "./report/index.js";

/** Metrics shown in the report, most important first: the stop metric, then the reference metric's parts. */
const REPORT_METRICS = ["rougeL_diff", "rougeL_acc", "answer_words"];

/** Maps the run state and metrics.json to the report's input. */
export function reportInput(
  state: RunState,
  metrics: MetricsFile,
  model: string,
  seeds: number,
): ReportInput {
  const keys = [...new Set([state.plan.stop.metric, ...REPORT_METRICS])];
  return {
    runId: state.runId,
    domain: state.domain,
    mode: state.mode,
    status: state.status,
    ...(state.stopReason ? { stopReason: state.stopReason } : {}),
    model,
    seeds,
    metricKeys: keys,
    rounds: metrics.rounds.map((r) => ({
      round: r.round,
      written: r.written ?? 0,
      accepted: r.accepted ?? 0,
      rejectedByReason: r.rejectedBy ?? {},
      metrics: r.metrics ?? {},
      losses: r.losses,
      ...(r.learningRate !== null ? { learningRate: r.learningRate } : {}),
      phaseMs: r.phaseMs,
      ...(r.quality !== null ? { quality: r.quality } : {}),
    })),
  };
}
