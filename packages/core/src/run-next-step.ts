/**
 * What the orchestrator does next, read from the run state alone. Because the answer depends only on
 * the saved state, a run resumed after a crash continues with exactly the step that had not completed,
 * with the same counts and learning rate as before the crash.
 */
import { IsaraError } from "./errors.js";
import type { EvalContext, TrainingData } from "./run-modes.js";
import type { RunError, RunState } from "./run-state.js";

/** Position of a step in the run. */
interface At {
  readonly type: "phase";
  readonly round: number;
}

/** Write `count` new prompts for the round. */
export interface PromptsStep extends At {
  readonly phase: "prompts";
  readonly count: number;
}
/** Answer the `count` prompts the round wrote. */
export interface AnswersStep extends At {
  readonly phase: "answers";
  readonly count: number;
}
/** Filter the `count` samples the round wrote. */
export interface FilterStep extends At {
  readonly phase: "filter";
  readonly count: number;
}
/** Train with the round's learning rate and epochs, continuing from `previousAdapter` (`null` = base model). */
export interface TrainStep extends At {
  readonly phase: "train";
  readonly learningRate: number;
  readonly epochs: number;
  readonly data: TrainingData;
  /** Samples of this round that passed the filters (0 when training on the seeds only). */
  readonly accepted: number;
  readonly previousAdapter: string | null;
}
/** Evaluate the model with `adapter` (`null` = base model) in the given context. */
export interface EvaluateStep extends At {
  readonly phase: "evaluate";
  readonly adapter: string | null;
  readonly context: EvalContext;
}

/** The next thing to do for a run. */
export type NextStep =
  | PromptsStep
  | AnswersStep
  | FilterStep
  | TrainStep
  | EvaluateStep
  /** Nothing more to do: the run ended. */
  | { readonly type: "finished"; readonly status: "done" | "cancelled"; readonly stopReason: string | null }
  /** The run failed; it waits for a `resumed` event (or a cancel). */
  | { readonly type: "failed"; readonly error: RunError }
  /** The run has not started: it waits for admission (`admitRun`), or a cancel. */
  | { readonly type: "queued" };

/**
 * The step to run now: the current phase of the current round with its parameters, or why there is
 * none. Counts come from the plan (prompts) or from the previous phase's result (answers, filter).
 */
export function nextStep(state: RunState): NextStep {
  if (state.status === "done" || state.status === "cancelled") {
    return { type: "finished", status: state.status, stopReason: state.stopReason };
  }
  if (state.status === "failed") {
    return { type: "failed", error: state.error ?? { code: "internal", message: "failed without an error" } };
  }
  if (state.status === "queued") return { type: "queued" };
  const { round } = state;
  const plan = need(state.plan.rounds[round], state, "a plan");
  const record = need(state.rounds[round], state, "a record");
  switch (state.phase) {
    case "prompts":
      return { type: "phase", round, phase: "prompts", count: plan.prompts };
    case "answers":
      return {
        type: "phase",
        round,
        phase: "answers",
        count: need(record.prompts, state, "prompts").written,
      };
    case "filter":
      return { type: "phase", round, phase: "filter", count: need(record.answers, state, "answers").written };
    case "train": {
      const training = need(plan.training, state, "training parameters");
      return {
        type: "phase",
        round,
        phase: "train",
        learningRate: training.learningRate,
        epochs: training.epochs,
        data: training.data,
        accepted: record.filter?.accepted ?? 0,
        previousAdapter: latestAdapter(state, round - 1),
      };
    }
    case "evaluate":
      return {
        type: "phase",
        round,
        phase: "evaluate",
        adapter: latestAdapter(state, round),
        context: plan.evaluation,
      };
  }
}

/** A value the state's invariants guarantee (`parseRunState` checks them); its absence is a bug. */
function need<T>(value: T | null | undefined, state: RunState, what: string): T {
  if (value === null || value === undefined) {
    throw new IsaraError(
      "internal",
      `run ${state.runId} has no ${what} for round ${state.round} at "${state.phase}"`,
    );
  }
  return value;
}

/** Adapter of the latest round up to `upTo` that trained; `null` when none did (the base model). */
export function latestAdapter(state: RunState, upTo: number): string | null {
  for (let r = Math.min(upTo, state.rounds.length - 1); r >= 0; r--) {
    const adapter = state.rounds[r]?.training?.adapter;
    if (adapter !== undefined) return adapter;
  }
  return null;
}
