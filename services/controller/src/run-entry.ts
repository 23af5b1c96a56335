/**
 * A run as the controller holds it in memory — its record, its domain snapshot, its state and the
 * progress of the phase in progress — and how it is loaded back from the run folder after a restart:
 * `state.json` through the RunStore, the record, the domain snapshot (validated again with core's
 * `parseDomainFiles`) and the training results of the rounds that trained (from their slot logs).
 */
import { runArtifacts } from "@isara/contracts";
import {
  type ArtifactStore,
  type Domain,
  IsaraError,
  type Phase,
  parseDomainFiles,
  type RunState,
  type RunStore,
} from "@isara/core";
import type { PhaseProgress } from "./phase-progress.js";
import { controllerKeys, parseRunRecord, type RunRecord } from "./run-record.js";
import { SlotLog } from "./slot-log.js";
import type { PromptRow, RowOf, TrainRow } from "./slot-rows.js";
import type { WorkWindow } from "./work-window.js";

/** One run in the controller's memory. Only the run's queue task changes it. */
export interface RunEntry {
  readonly record: RunRecord;
  /** The run's domain as its snapshot holds it (overrides applied). */
  readonly domain: Domain;
  state: RunState;
  /** Progress of the phase in progress; loaded from its slot log on first use. */
  progress: PhaseProgress | undefined;
  /** Training results of the run's rounds, by round (adapters for later rounds' work). */
  readonly trainRows: Map<number, TrainRow>;
  /** When this controller published all of the current phase's work (for metrics.json's phaseMs). */
  phaseStartedAt: number | undefined;
  /** The current phase's work may not have reached the broker (a publish failed); send it again. */
  workPending: boolean;
  /**
   * The per-slot work of the current phase released and not yet answered (see work-window.ts);
   * undefined until the phase's first release. Not persisted: a restarted controller releases the
   * first window of the missing slots again.
   */
  window: WorkWindow | undefined;
  /** The prompts of the round whose answers are being released, by slot (read once per round). */
  prompts?: { readonly round: number; readonly bySlot: ReadonlyMap<number, PromptRow> } | undefined;
}

/** The slot log of one phase of one round of `run`. */
export function slotLog<P extends Phase>(artifacts: ArtifactStore, run: string, round: number, phase: P) {
  return new SlotLog<RowOf[P]>(artifacts, controllerKeys(run).slotLog(round, phase));
}

async function readText(artifacts: ArtifactStore, key: string): Promise<string> {
  const bytes = await artifacts.read(key);
  if (bytes === undefined) {
    throw new IsaraError("failed_precondition", `${key} is missing; the run folder is incomplete`, { key });
  }
  return new TextDecoder().decode(bytes);
}

/**
 * Loads run `runId` from its folder.
 * @throws IsaraError `failed_precondition` when a file is missing, unreadable or inconsistent with the
 *   others (the error names it); the run is then left alone for a person to look at.
 */
export async function loadRunEntry(
  runId: string,
  ports: { readonly artifacts: ArtifactStore; readonly runStore: RunStore<RunState> },
): Promise<RunEntry> {
  const { artifacts, runStore } = ports;
  const state = await runStore.load(runId);
  if (state === undefined) throw new IsaraError("not_found", `run ${runId} has no state.json`);
  const recordKey = controllerKeys(runId).record;
  let record: RunRecord;
  try {
    record = parseRunRecord(JSON.parse(await readText(artifacts, recordKey)));
  } catch (err) {
    throw new IsaraError(
      "failed_precondition",
      `${recordKey} cannot be used: ${(err as Error).message}`,
      undefined,
      {
        cause: err,
      },
    );
  }
  if (record.runId !== runId || record.spec.domain !== state.domain) {
    throw new IsaraError(
      "failed_precondition",
      `${recordKey} is of run ${record.runId} (domain ${record.spec.domain}), but the folder holds run ${runId} of domain ${state.domain}`,
    );
  }
  const keys = runArtifacts(runId);
  const domain = parseDomainFiles(
    {
      config: await readText(artifacts, keys.domainConfig),
      seeds: await readText(artifacts, keys.domainSeeds),
      eval: await readText(artifacts, keys.domainEval),
    },
    { config: keys.domainConfig, seeds: keys.domainSeeds, eval: keys.domainEval },
  );
  const trainRows = new Map<number, TrainRow>();
  for (const r of state.rounds) {
    if (r.training === null) continue;
    const [row] = await slotLog(artifacts, runId, r.round, "train").read();
    if (row !== undefined) trainRows.set(r.round, row);
  }
  return {
    record,
    domain,
    state,
    progress: undefined,
    trainRows,
    phaseStartedAt: undefined,
    workPending: false,
    window: undefined,
  };
}
