/**
 * The files a distributed run leaves in its run folder, so that it reads like an embedded one (the
 * same layout, JSON Lines and `metrics.json` of `@isara/contracts` as the embedded mode, the same row
 * formats where the embedded mode has them): the domain snapshot when the run starts, each round's
 * prompts, candidates, accepted and rejected sets when their phase completes, and metrics after
 * every phase.
 * Every write is atomic and idempotent (the same rows give the same file), so a phase completed again
 * after a restart rewrites identical files.
 */
import {
  loadRoundLogs,
  loadRoundQualities,
  metricsFile,
  metricsFileText,
  type RoundLog,
  runArtifacts,
  runFolder,
  toJsonl,
} from "@isara/contracts";
import type { ArtifactStore, Domain, RunState } from "@isara/core";
import type { DomainTexts } from "./domain-source.js";
import { type PhaseProgress, rowsInOrder } from "./phase-progress.js";
import type { TrainRow } from "./slot-rows.js";

/** The artifact store seen from inside one folder: key `k` is `<prefix>k` of the whole store. */
export function scopedArtifacts(artifacts: ArtifactStore, prefix: string): ArtifactStore {
  return {
    write: (key, data) => artifacts.write(`${prefix}${key}`, data),
    read: (key) => artifacts.read(`${prefix}${key}`),
    exists: (key) => artifacts.exists(`${prefix}${key}`),
    locate: (key) => artifacts.locate(`${prefix}${key}`),
  };
}

/**
 * Writes the run's domain snapshot (`<run>/domain/`): the effective config (overrides applied,
 * defaults filled) and the seed and eval files as they were read, as `isara run` does. Every stage
 * reads the run's domain from here.
 */
export async function writeDomainSnapshot(
  artifacts: ArtifactStore,
  run: string,
  domain: Domain,
  texts: DomainTexts,
): Promise<void> {
  const keys = runArtifacts(run);
  await artifacts.write(keys.domainSeeds, texts.seeds);
  await artifacts.write(keys.domainEval, texts.eval);
  await artifacts.write(keys.domainConfig, `${JSON.stringify(domain.config, null, 2)}\n`);
}

/**
 * Writes what a completed phase leaves in the run folder: `prompts.jsonl` (the embedded prompt rows
 * plus the generating model), `candidates.jsonl` (the candidate samples, as `FilterWork` promises
 * them to the filtering service), `accepted.jsonl` and `rejected.jsonl` (judged samples with every
 * verdict); nothing for train and evaluate, whose stages write their own outputs.
 */
export async function writePhaseOutputs(
  artifacts: ArtifactStore,
  run: string,
  progress: PhaseProgress,
): Promise<void> {
  const keys = runArtifacts(run);
  const round = progress.round;
  switch (progress.phase) {
    case "prompts":
      await artifacts.write(keys.prompts(round), toJsonl(rowsInOrder(progress.rows)));
      return;
    case "answers":
      await artifacts.write(
        keys.candidates(round),
        toJsonl(rowsInOrder(progress.rows).map((r) => r.candidate)),
      );
      return;
    case "filter": {
      const rows = rowsInOrder(progress.rows);
      await artifacts.write(
        keys.accepted(round),
        toJsonl(rows.filter((r) => r.accepted).map((r) => r.sample)),
      );
      await artifacts.write(
        keys.rejected(round),
        toJsonl(rows.filter((r) => !r.accepted).map((r) => r.sample)),
      );
      return;
    }
    case "train":
    case "evaluate":
      return;
  }
}

/**
 * Rewrites `<run>/metrics.json` from the state: `metricsFile`, as the embedded mode builds it, with
 * each round's loss curve (from its training result) and the wall time of the phases this controller
 * saw from start to end (`phaseMs`, merged with the times already in the file).
 */
export async function writeRunMetrics(
  artifacts: ArtifactStore,
  state: RunState,
  input: {
    readonly baseModel: string;
    readonly trainRows: ReadonlyMap<number, TrainRow>;
    readonly phaseMs?: { readonly round: number; readonly phase: string; readonly ms: number };
  },
): Promise<void> {
  const folder = scopedArtifacts(artifacts, runArtifacts(state.runId).root);
  const logs: RoundLog[] = await loadRoundLogs(folder);
  const logOf = (round: number): RoundLog => {
    const log = logs[round] ?? { phaseMs: {}, losses: [] };
    logs[round] = log;
    return log;
  };
  for (const record of state.rounds) {
    const train = input.trainRows.get(record.round);
    if (train !== undefined) logOf(record.round).losses = [...train.losses];
  }
  const timed = input.phaseMs;
  if (timed !== undefined) logOf(timed.round).phaseMs[timed.phase] = timed.ms;
  const qualities = await loadRoundQualities(folder, state.rounds.length);
  const metrics = metricsFile(state, logs, input.baseModel, qualities);
  await folder.write(runFolder.metrics, metricsFileText(metrics));
}
