/**
 * A run as the REST API shows it: the controller's `RunStatus` with core's names (`"isara"`,
 * `"train"`, `"running"`) instead of wire enums, `null` for "not yet" instead of absent fields, and the
 * tenant's own run id instead of the controller's scoped one. Artifact keys (adapter paths) are left
 * out: they are internal to the platform and name the scoped run folder.
 */
import {
  errorCodeFromWire,
  phaseFromWire,
  type RoundRecord,
  RunLifecycle,
  type RunStatus,
  runModeFromWire,
} from "@isara/contracts";
import type { RunStatus as CoreRunStatus, ErrorCode, Phase, RunMode } from "@isara/core";

/** One round of a run. Results are `null` until their phase completed (or when the plan skips it). */
export interface RoundView {
  readonly round: number;
  readonly learningRate: number | null;
  readonly promptsWritten: number | null;
  readonly answersWritten: number | null;
  readonly filter: {
    readonly written: number;
    readonly accepted: number;
    readonly rejectedBy: Readonly<Record<string, number>>;
  } | null;
  readonly training: { readonly finalLoss: number; readonly steps: number } | null;
  readonly metrics: Readonly<Record<string, number>> | null;
}

/** A run as `GET /v1/runs/:id` answers it. */
export interface RunView {
  readonly id: string;
  readonly domain: string;
  readonly mode: RunMode | null;
  readonly state: CoreRunStatus;
  readonly round: number;
  readonly phase: Phase | null;
  readonly plannedRounds: number;
  readonly progress: { readonly done: number; readonly total: number } | null;
  readonly rounds: readonly RoundView[];
  readonly stopReason: string | null;
  readonly error: { readonly code: ErrorCode; readonly message: string } | null;
  /** A queued run's place in its tenant's queue (1 = starts next); `null` unless queued. */
  readonly queuePosition: number | null;
}

const STATE_OF: ReadonlyMap<RunLifecycle, CoreRunStatus> = new Map([
  [RunLifecycle.QUEUED, "queued"],
  [RunLifecycle.RUNNING, "running"],
  [RunLifecycle.DONE, "done"],
  [RunLifecycle.FAILED, "failed"],
  [RunLifecycle.CANCELLED, "cancelled"],
]);

/** The wire lifecycle of a core run status, for `ListRuns` filters. */
export function lifecycleOf(state: CoreRunStatus): RunLifecycle {
  for (const [lifecycle, name] of STATE_OF) if (name === state) return lifecycle;
  return RunLifecycle.UNSPECIFIED;
}

function orNull<T>(value: T | undefined): T | null {
  return value === undefined ? null : value;
}

function attempt<T>(convert: () => T): T | null {
  try {
    return convert();
  } catch {
    return null;
  }
}

/** A wire round record as a {@link RoundView}. */
export function roundView(record: RoundRecord): RoundView {
  return {
    round: record.round,
    learningRate: orNull(record.learningRate),
    promptsWritten: orNull(record.promptsWritten),
    answersWritten: orNull(record.answersWritten),
    filter:
      record.filter === undefined
        ? null
        : {
            written: record.filter.written,
            accepted: record.filter.accepted,
            rejectedBy: { ...record.filter.rejectedBy },
          },
    training:
      record.training === undefined
        ? null
        : { finalLoss: record.training.finalLoss, steps: record.training.steps },
    metrics: record.metrics === undefined ? null : { ...record.metrics.values },
  };
}

/**
 * The view of `status` under the tenant's run id `id`. A lifecycle the controller left unset reads as
 * `running` (the run exists and is not known to be final); an unset phase or mode reads as `null`.
 */
export function runView(status: RunStatus, id: string): RunView {
  return {
    id,
    domain: status.domain,
    mode: attempt(() => runModeFromWire(status.mode)),
    state: STATE_OF.get(status.lifecycle) ?? "running",
    round: status.round,
    phase: attempt(() => phaseFromWire(status.phase)),
    plannedRounds: status.plannedRounds,
    progress: status.progress === undefined ? null : { ...status.progress },
    rounds: status.rounds.map(roundView),
    stopReason: orNull(status.stopReason),
    error:
      status.error === undefined
        ? null
        : { code: errorCodeFromWire(status.error.code), message: status.error.message },
    queuePosition: status.lifecycle === RunLifecycle.QUEUED ? (status.queuePosition ?? null) : null,
  };
}

/** `GET /v1/runs/:id/metrics`: the eval metrics of every round next to the figures that explain them. */
export interface RunMetricsView {
  readonly id: string;
  readonly domain: string;
  readonly state: CoreRunStatus;
  /** Round 0's metrics: the base model before any training; `null` until evaluated. */
  readonly baseline: Readonly<Record<string, number>> | null;
  readonly rounds: readonly {
    readonly round: number;
    readonly metrics: Readonly<Record<string, number>> | null;
    /** Accepted / written in the round's filter; `null` before (or without) a filter phase. */
    readonly keptFraction: number | null;
    readonly finalLoss: number | null;
  }[];
}

/** The metrics view of a run's status (see {@link RunMetricsView}). */
export function runMetricsView(view: RunView): RunMetricsView {
  return {
    id: view.id,
    domain: view.domain,
    state: view.state,
    baseline: view.rounds.find((r) => r.round === 0)?.metrics ?? null,
    rounds: view.rounds.map((r) => ({
      round: r.round,
      metrics: r.metrics,
      keptFraction: r.filter === null || r.filter.written === 0 ? null : r.filter.accepted / r.filter.written,
      finalLoss: r.training?.finalLoss ?? null,
    })),
  };
}
