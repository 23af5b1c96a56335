/**
 * What a generation slot and a training run take from the run's config. The embedded mode reads them
 * from the domain it runs; the distributed stages read them from the run's domain snapshot (work
 * messages carry no copies of the run's settings). Both go through these functions, so a slot or a
 * training run of either mode gets the same values from the same config.
 */
import type { DomainConfig, Sampling } from "./domain.js";
import type { TrainSpec } from "./ports.js";

/** Which text a generation slot writes. */
export type SlotKind = "prompt" | "answer";

/** How a slot's completion is written: its sampling and the token budget of its demos. */
export interface SlotSettings {
  /** `isara.promptSampling` for prompts, `isara.answerSampling` for answers. */
  readonly sampling: Sampling;
  /** `isara.promptBudgetTokens`: demos that overflow it are dropped. */
  readonly budgetTokens: number;
}

/** The sampling and demo token budget of a `kind` slot of a run with `config`. */
export function slotSettings(config: DomainConfig, kind: SlotKind): SlotSettings {
  const { isara } = config;
  return {
    sampling: kind === "prompt" ? isara.promptSampling : isara.answerSampling,
    budgetTokens: isara.promptBudgetTokens,
  };
}

/**
 * The trainer settings that are the same for every round of a run (the learning rate, epochs and
 * seed are the round's own and are not among them).
 */
export type RunTrainingSettings = Pick<
  TrainSpec,
  "method" | "batchSize" | "maxSequenceLength" | "loraRank" | "loraAlpha" | "loraDropout"
>;

/** The per-run trainer settings of a run with `config` (its `training` section). */
export function runTrainingSettings(config: DomainConfig): RunTrainingSettings {
  const t = config.training;
  return {
    method: t.method,
    batchSize: t.batchSize,
    maxSequenceLength: t.maxSequenceLength,
    loraRank: t.loraRank,
    loraAlpha: t.loraAlpha,
    loraDropout: t.loraDropout,
  };
}
