import type { ArtifactStore, RunState } from "@isara/core";
import { runFolder } from "./run-folder.js";

/** Per-round facts the run state does not keep: wall time per phase and the training loss curve. */
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
  }[];
}

/** Loads the round logs kept in `metrics.json` (empty when the run is new). */
export async function loadRoundLogs(artifacts: ArtifactStore): Promise<RoundLog[]> {
  const raw = await artifacts.read(runFolder.metrics);
  if (!raw) return [];
  try {
    const file = JSON.parse(new TextDecoder().decode(raw)) as MetricsFile;
    return file.rounds.map((r) => ({ phaseMs: { ...r.phaseMs }, losses: [...r.losses] }));
  } catch {
    return [];
  }
}

/** Builds `metrics.json` from the state (source of truth for results) and the round logs. */
export function metricsFile(state: RunState, logs: readonly RoundLog[], model: string): MetricsFile {
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
    })),
  };
}
