/**
 * Run modes: ISARA and the paper's baselines as plans of the same system. A mode decides which
 * phases each round runs and with what parameters; the orchestrator asks {@link planFor} for the plan
 * and walks it, instead of switching on mode names, so a new baseline is a new row here, not new
 * branches in every service.
 *
 * Every plan starts with round 0: the base model evaluated zero-shot. That score is the reference
 * for the "no improvement" stop rule and for every report, whatever the mode.
 */
import { z } from "zod";
import type { DomainConfig, StopSettings } from "./domain.js";
import { learningRateForRound } from "./lr-schedule.js";

/** Names of the run modes, as accepted by the CLI, the API and the run state. */
export const RUN_MODES = ["isara", "base", "sft-seeds", "icl-knn", "icl-random", "one-shot"] as const;
/** One run mode. */
export type RunMode = (typeof RUN_MODES)[number];
/** Validates a run mode name (CLI flag, API field, stored state). */
export const runModeSchema = z.enum(RUN_MODES);

/** Phases of a round, in the order they run. A round runs a subsequence of these. */
export const PHASES = ["prompts", "answers", "filter", "train", "evaluate"] as const;
/** One phase of a round. */
export type Phase = (typeof PHASES)[number];
/** Validates a phase name. */
export const phaseSchema = z.enum(PHASES);

/** How the evaluated model sees each eval question: alone, or after seed demos chosen by kNN or at random. */
export type EvalContext =
  | { readonly kind: "zero-shot" }
  | { readonly kind: "icl"; readonly selection: "knn" | "random"; readonly demos: number };

/** What a round trains on: the seeds alone (D0), or the seeds plus the round's accepted samples (D0 ∪ Dt). */
export type TrainingData = "seeds" | "seeds+round";

/** Training parameters of one round. */
export interface RoundTraining {
  readonly learningRate: number;
  readonly epochs: number;
  readonly data: TrainingData;
}

/** What one round does. */
export interface RoundPlan {
  /** 0 = the base-model baseline; 1.. = rounds that may generate and train. */
  readonly round: number;
  /** Phases run in this round, in order; never empty, always ends with `evaluate`. */
  readonly phases: readonly Phase[];
  /** New prompts to write (N); 0 when the round generates nothing. */
  readonly prompts: number;
  /** Training parameters; `null` when the round does not train. */
  readonly training: RoundTraining | null;
  /** How the round's model is evaluated. */
  readonly evaluation: EvalContext;
}

/** A whole run, fixed when the run starts and stored in its state so a resumed run follows the same plan. */
export interface RunPlan {
  readonly mode: RunMode;
  /** Rounds in order; `rounds[i].round === i`; round 0 is always the zero-shot baseline. */
  readonly rounds: readonly RoundPlan[];
  /** Stop settings in force for the run. */
  readonly stop: StopSettings;
}

/** One row of the mode table: what the mode is for, in words people read in `--help` and reports. */
export interface RunModeInfo {
  readonly mode: RunMode;
  /** One line: what the mode does. */
  readonly summary: string;
  /** Which row of the paper's comparison it reproduces. */
  readonly paperRow: string;
}

/** The mode table, for help texts and reports. The parameters of each mode come from {@link planFor}. */
export const RUN_MODE_TABLE: Readonly<Record<RunMode, RunModeInfo>> = {
  isara: {
    mode: "isara",
    summary: "T rounds of write prompts → write answers → filter → train on D0 ∪ Dt → evaluate",
    paperRow: "ISARA",
  },
  base: { mode: "base", summary: "evaluate the base model zero-shot, nothing else", paperRow: "base model" },
  "sft-seeds": {
    mode: "sft-seeds",
    summary:
      "one round that trains on the seeds only, with round 1's learning rate and epochs, then evaluates",
    paperRow: "SFT on seeds",
  },
  "icl-knn": {
    mode: "icl-knn",
    summary: "evaluate the base model with the K seeds nearest to each eval question as in-context demos",
    paperRow: "ICL (kNN seeds)",
  },
  "icl-random": {
    mode: "icl-random",
    summary: "evaluate the base model with K random seeds as in-context demos",
    paperRow: "ICL (random seeds)",
  },
  "one-shot": {
    mode: "one-shot",
    summary: "one ISARA round that writes 2N prompts at once, trains once and evaluates",
    paperRow: "one-shot generation",
  },
};

const ZERO_SHOT: EvalContext = { kind: "zero-shot" };
const FULL_ROUND: readonly Phase[] = ["prompts", "answers", "filter", "train", "evaluate"];

/** Round 0 of every plan: the base model, evaluated zero-shot, as the reference for everything after. */
function baselineRound(): RoundPlan {
  return { round: 0, phases: ["evaluate"], prompts: 0, training: null, evaluation: ZERO_SHOT };
}

function generatingRound(config: DomainConfig, round: number, prompts: number): RoundPlan {
  return {
    round,
    phases: FULL_ROUND,
    prompts,
    training: {
      learningRate: learningRateForRound(config.training, round),
      epochs: config.training.epochs,
      data: "seeds+round",
    },
    evaluation: ZERO_SHOT,
  };
}

function iclRound(config: DomainConfig, selection: "knn" | "random"): RoundPlan {
  return {
    round: 1,
    phases: ["evaluate"],
    prompts: 0,
    training: null,
    evaluation: { kind: "icl", selection, demos: config.isara.demos },
  };
}

function roundsFor(mode: RunMode, config: DomainConfig): RoundPlan[] {
  const n = config.isara.promptsPerRound;
  switch (mode) {
    case "isara":
      return Array.from({ length: config.isara.rounds }, (_, i) => generatingRound(config, i + 1, n));
    case "base":
      return [];
    case "sft-seeds":
      // One round, not T: repeating seeds-only rounds only adds passes over the same pairs, which is
      // what `training.epochs` already controls. ISARA's gain must come from its generated data.
      return [
        {
          round: 1,
          phases: ["train", "evaluate"],
          prompts: 0,
          training: {
            learningRate: learningRateForRound(config.training, 1),
            epochs: config.training.epochs,
            data: "seeds",
          },
          evaluation: ZERO_SHOT,
        },
      ];
    case "icl-knn":
      return [iclRound(config, "knn")];
    case "icl-random":
      return [iclRound(config, "random")];
    case "one-shot":
      return [generatingRound(config, 1, 2 * n)];
  }
}

/**
 * The plan of a run in `mode` for a domain config: round 0 (zero-shot baseline) followed by the
 * mode's rounds, each with its phases, prompt count, learning rate, epochs and evaluation context.
 * Pure and deterministic, so the same config and mode always give the same plan.
 */
export function planFor(mode: RunMode, config: DomainConfig): RunPlan {
  return { mode, rounds: [baselineRound(), ...roundsFor(mode, config)], stop: { ...config.stop } };
}
