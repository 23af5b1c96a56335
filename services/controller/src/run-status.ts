/**
 * A run's state as people watch it: core's `RunState` (and the progress of the phase in progress) as
 * the wire `RunStatus` that GetRun, ListRuns, CancelRun and WatchRun return. Pure and lossless for
 * every recorded result, so the gateway shows exactly what the state machine holds.
 */
import {
  errorInfoToWire,
  phaseToWire,
  RunLifecycle,
  type RunStatus,
  runModeToWire,
  type PhaseProgress as WirePhaseProgress,
  type RoundRecord as WireRoundRecord,
} from "@isara/contracts";
import type { RunStatus as CoreRunStatus, RoundRecord, RunState } from "@isara/core";
import { missingSlots, type PhaseProgress } from "./phase-progress.js";

const LIFECYCLE: Readonly<Record<CoreRunStatus, RunLifecycle>> = {
  queued: RunLifecycle.QUEUED,
  running: RunLifecycle.RUNNING,
  done: RunLifecycle.DONE,
  failed: RunLifecycle.FAILED,
  cancelled: RunLifecycle.CANCELLED,
};

/** The wire lifecycle of a core run status. */
export function lifecycleToWire(status: CoreRunStatus): RunLifecycle {
  return LIFECYCLE[status];
}

/** A core round record as the wire's: `null` results become unset fields. */
export function roundRecordToWire(r: RoundRecord): WireRoundRecord {
  return {
    round: r.round,
    learningRate: r.learningRate ?? undefined,
    promptsWritten: r.prompts?.written,
    answersWritten: r.answers?.written,
    filter: r.filter === null ? undefined : { ...r.filter, rejectedBy: { ...r.filter.rejectedBy } },
    training: r.training === null ? undefined : { ...r.training },
    metrics: r.metrics === null ? undefined : { values: { ...r.metrics } },
  };
}

/**
 * Progress of the phase in progress: slots with a result out of the slots of the phase; training
 * reports no steps to the controller (0 of 0, "not known"), evaluation counts the eval questions,
 * done once its result is in.
 */
export function progressToWire(
  progress: PhaseProgress | undefined,
  evalItems: number,
): WirePhaseProgress | undefined {
  if (progress === undefined) return undefined;
  const done = progress.expected.length - missingSlots(progress).length;
  switch (progress.phase) {
    case "train":
      return { done: 0, total: 0 };
    case "evaluate":
      return { done: done === 1 ? evalItems : 0, total: evalItems };
    default:
      return { done, total: progress.expected.length };
  }
}

/**
 * The wire status of a run. `progress` is the phase in progress (left unset once the run is final);
 * `evalItems` is the size of the run's eval set; `queuePosition` the place of a queued run in its
 * tenant's queue (1 = next), ignored unless the run is queued.
 */
export function runStatusToWire(
  state: RunState,
  progress: PhaseProgress | undefined,
  evalItems: number,
  queuePosition?: number,
): RunStatus {
  const final = state.status === "done" || state.status === "cancelled";
  const current =
    !final && progress?.round === state.round && progress.phase === state.phase ? progress : undefined;
  return {
    runId: state.runId,
    domain: state.domain,
    mode: runModeToWire(state.mode),
    lifecycle: lifecycleToWire(state.status),
    round: state.round,
    phase: phaseToWire(state.phase),
    plannedRounds: state.plan.rounds.length - 1,
    progress: final ? undefined : (progressToWire(current, evalItems) ?? { done: 0, total: 0 }),
    rounds: state.rounds.map(roundRecordToWire),
    stopReason: state.stopReason ?? undefined,
    error: state.error === null ? undefined : errorInfoToWire(state.error),
    ...(state.status === "queued" && queuePosition !== undefined ? { queuePosition } : {}),
  };
}
