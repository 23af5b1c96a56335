/**
 * The training-loss curve a round reports: a bounded summary of its per-step losses. The curve goes
 * into the round's `TrainDone` (one Kafka record, under the broker's size limit) and into
 * `metrics.json` and the report; with one point per step it would grow with the steps (a long
 * training has tens of thousands), while a chart of a few hundred points shows the same shape. The
 * trainer's own files keep every step.
 */
import { IsaraError } from "./errors.js";

/** Points a reported loss curve has at most. */
export const MAX_LOSS_POINTS = 256;

/**
 * `losses` (one per step) summarised in at most `maxPoints` points, in step order: unchanged when
 * there are that few already; otherwise the first step's loss, the mean of each of `maxPoints - 2`
 * evenly sized buckets of the steps in between (sizes differ by one at most), and the last step's
 * loss. The first and last are kept as they are: the starting loss, and the final loss the run
 * state records. Pure.
 * @throws IsaraError `invalid_argument` when `maxPoints` is not an integer ≥ 2 (the first and last).
 */
export function lossSummary(losses: readonly number[], maxPoints: number = MAX_LOSS_POINTS): number[] {
  if (!(Number.isInteger(maxPoints) && maxPoints >= 2)) {
    throw new IsaraError(
      "invalid_argument",
      `a loss summary of ${maxPoints} points cannot keep the first and last step; use an integer ≥ 2`,
    );
  }
  if (losses.length <= maxPoints) return [...losses];
  const first = losses[0] as number;
  const last = losses[losses.length - 1] as number;
  const inner = losses.length - 2;
  const buckets = maxPoints - 2;
  const means: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * inner) / buckets);
    const to = 1 + Math.floor(((b + 1) * inner) / buckets);
    let sum = 0;
    for (let i = from; i < to; i++) sum += losses[i] as number;
    means.push(sum / (to - from));
  }
  return [first, ...means, last];
}
