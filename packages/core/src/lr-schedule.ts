/**
 * The learning-rate schedule of the ISARA loop. Each round continues training the previous round's
 * model, so later rounds take smaller steps: the paper starts at 2e-5 and halves it every round,
 * which keeps later rounds from undoing what earlier ones learned.
 */
import type { TrainingSettings } from "./domain.js";
import { IsaraError } from "./errors.js";

/**
 * Learning rate for training round `round` (1-based):
 * `learningRate * learningRateDecay^(round - 1)`. Round 1 uses the configured rate unchanged.
 * Throws `invalid_argument` for a round that is not an integer ≥ 1, because round 0 (the base model)
 * never trains and a fractional round is a caller bug that would silently give a wrong rate.
 */
export function learningRateForRound(
  training: Pick<TrainingSettings, "learningRate" | "learningRateDecay">,
  round: number,
): number {
  if (!Number.isInteger(round) || round < 1) {
    throw new IsaraError(
      "invalid_argument",
      `learning rate asked for round ${round}; training rounds are integers from 1 (round 0 is the base model and does not train)`,
    );
  }
  return training.learningRate * training.learningRateDecay ** (round - 1);
}
