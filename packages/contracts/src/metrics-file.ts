/**
 * `metrics.json` of a run folder: the run's results per round for people and tools (`isara run`'s
 * summary, `isara compare`, the report). Both modes build it here from the run state, so a
 * distributed run's file reads like an embedded one's.
 */
import type { RoundQuality, RunState } from "@isara/core";

/**
 * Per-round facts the run state does not keep: wall time per phase and the training loss curve. They
 * are kept in `metrics.json` only (`loadRoundLogs` reads them back).
 */
export interface RoundLog {
  phaseMs: Record<string, number>;
  losses: number[];
}

/** `metrics.json`: the state's metrics per round plus timings and losses, for people and tools. */
export interface MetricsFile {
  readonly runId: string;
  readonly domain: string;
  readonly mode: string;
  /** The generating model (its id), so a comparison across runs can say what it compared. */
  readonly model?: string;
  readonly status: string;
  readonly stopReason: string | null;
  readonly rounds: readonly {
    readonly round: number;
    readonly metrics: Readonly<Record<string, number>> | null;
    readonly written: number | null;
    readonly accepted: number | null;
    readonly rejectedBy: Readonly<Record<string, number>> | null;
    readonly learningRate: number | null;
    readonly finalLoss: number | null;
    readonly phaseMs: Readonly<Record<string, number>>;
    readonly losses: readonly number[];
    /** Sample-quality figures of the round's seeds, candidates and accepted set; `null` before its filter pass. */
    readonly quality: RoundQuality | null;
  }[];
}

/**
 * Builds `metrics.json` from the state (source of truth for results), the round logs and each round's
 * quality figures (`loadRoundQualities`).
 */
export function metricsFile(
  state: RunState,
  logs: readonly RoundLog[],
  model: string,
  qualities: readonly (RoundQuality | null)[] = [],
): MetricsFile {
  return {
    runId: state.runId,
    domain: state.domain,
    mode: state.mode,
    model,
    status: state.status,
    stopReason: state.stopReason,
    rounds: state.rounds.map((r) => ({
      round: r.round,
      metrics: r.metrics,
      written: r.filter?.written ?? null,
      accepted: r.filter?.accepted ?? null,
      rejectedBy: r.filter?.rejectedBy ?? null,
      learningRate: r.learningRate,
      finalLoss: r.training?.finalLoss ?? null,
      phaseMs: logs[r.round]?.phaseMs ?? {},
      losses: logs[r.round]?.losses ?? [],
      quality: qualities[r.round] ?? null,
    })),
  };
}

/** The text of `metrics.json` (indented for people, newline-terminated), the same from either mode. */
export function metricsFileText(metrics: MetricsFile): string {
  return `${JSON.stringify(metrics, null, 2)}\n`;
}
