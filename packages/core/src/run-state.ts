/**
 * The state of one run, as plain JSON: what a `RunStore` saves after every step and loads on resume.
 * It carries its own plan (fixed at start), so a resumed run follows the plan it started with even if
 * the domain file changed since. The format is versioned; `parseRunState` (run-state-parse.ts) refuses
 * versions it does not know instead of guessing.
 */
import type { DomainConfig } from "./domain.js";
import { type ErrorCode, IsaraError } from "./errors.js";
import { type Phase, planFor, type RunMode, type RunPlan } from "./run-modes.js";

/** Version of the run-state format written by this code. Bump it on any change to the shape. */
export const RUN_STATE_SCHEMA_VERSION = 1;

/**
 * Lifecycle of a run. `done` and `cancelled` are final; `failed` may be resumed. `queued` is a run
 * that has not started: it waits for admission (the distributed controller's per-tenant limit of
 * running runs) and starts at its first step with `admitRun` (run-machine.ts); the embedded mode never queues.
 */
export type RunStatus = "queued" | "running" | "done" | "failed" | "cancelled";

/** Counts of a round's filter phase: accepted samples, and rejections per filter reason. */
export interface FilterRecord {
  /** Samples that went into the filter chain. */
  readonly written: number;
  readonly accepted: number;
  /** Rejected samples per filter name; a sample rejected by two filters counts under both. */
  readonly rejectedBy: Readonly<Record<string, number>>;
}

/** Summary of a round's training run. */
export interface TrainingRecord {
  /** Artifact key or path of the adapter (or model) the round produced. */
  readonly adapter: string;
  readonly finalLoss: number;
  readonly steps: number;
}

/** What happened in one round. A field is `null` until its phase completes (or when the round skips it). */
export interface RoundRecord {
  readonly round: number;
  /** Learning rate the round trains with; `null` for rounds that do not train. */
  readonly learningRate: number | null;
  readonly prompts: { readonly written: number } | null;
  readonly answers: { readonly written: number } | null;
  readonly filter: FilterRecord | null;
  readonly training: TrainingRecord | null;
  /** Evaluation metrics; round 0's are the base-model baseline. */
  readonly metrics: Readonly<Record<string, number>> | null;
}

/** Why a run failed, as data that survives serialisation. */
export interface RunError {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * A run's state. `round` and `phase` name the step in progress or next to run; once the run is
 * `done` they name the last step that ran.
 */
export interface RunState {
  readonly schemaVersion: typeof RUN_STATE_SCHEMA_VERSION;
  readonly runId: string;
  readonly domain: string;
  readonly mode: RunMode;
  readonly plan: RunPlan;
  readonly status: RunStatus;
  readonly round: number;
  readonly phase: Phase;
  /** One record per round started so far; `rounds[r].round === r`; round 0 is the baseline. */
  readonly rounds: readonly RoundRecord[];
  /** Why the run stopped; set when `done`. */
  readonly stopReason: string | null;
  /** Why the run failed; set when `failed`. */
  readonly error: RunError | null;
}

/** A fresh record for `round`, with the learning rate its plan trains with. */
export function emptyRoundRecord(plan: RunPlan, round: number): RoundRecord {
  const training = plan.rounds[round]?.training ?? null;
  return {
    round,
    learningRate: training?.learningRate ?? null,
    prompts: null,
    answers: null,
    filter: null,
    training: null,
    metrics: null,
  };
}

/**
 * A new run in `mode` for a domain: status `running` (or `queued` with `queued: true`, waiting for
 * admission), its plan fixed from the config, positioned at round 0's evaluation (the base-model
 * baseline comes first so later rounds have a reference).
 */
export function createRunState(input: {
  runId: string;
  config: DomainConfig;
  mode: RunMode;
  queued?: boolean;
}): RunState {
  if (input.runId.trim() === "") {
    throw new IsaraError("invalid_argument", "runId must not be empty; give the run a unique id");
  }
  const plan = planFor(input.mode, input.config);
  return {
    schemaVersion: RUN_STATE_SCHEMA_VERSION,
    runId: input.runId,
    domain: input.config.name,
    mode: input.mode,
    plan,
    status: input.queued === true ? "queued" : "running",
    round: 0,
    phase: "evaluate",
    rounds: [emptyRoundRecord(plan, 0)],
    stopReason: null,
    error: null,
  };
}

/** `true` when the record holds the result of `phase`. */
export function hasPhaseResult(record: RoundRecord, phase: Phase): boolean {
  const field = {
    prompts: record.prompts,
    answers: record.answers,
    filter: record.filter,
    train: record.training,
  };
  return phase === "evaluate" ? record.metrics !== null : field[phase] !== null;
}

/** Metrics of round 0: the base model evaluated zero-shot; `null` until that step has run. */
export function baselineMetrics(state: RunState): Readonly<Record<string, number>> | null {
  return state.rounds[0]?.metrics ?? null;
}
