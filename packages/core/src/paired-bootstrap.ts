/**
 * Paired bootstrap of a mean difference: how sure can a comparison be that model A beats model B on
 * the same eval items? With a few hundred items, a ROUGE-L diff moves by a point or two from which
 * questions happen to be in the set, so every comparison table should say how wide that band is.
 */
import { IsaraError } from "./errors.js";
import { createRng, randomInt } from "./rng.js";

/** Mean difference of A over B with its bootstrap confidence interval. */
export interface PairedDifference {
  /** mean(a) - mean(b) on the items as they are. */
  readonly mean: number;
  /** Lower end of the interval (percentile bootstrap). */
  readonly low: number;
  /** Upper end of the interval. */
  readonly high: number;
  /** Share of resamples in which A's mean was above B's: close to 1 means A reliably wins. */
  readonly probabilityAbove: number;
}

/**
 * Resamples the item indexes with replacement `resamples` times (seeded, so a report is
 * reproducible) and takes the `level` percentile interval of mean(a_i - b_i). `a[i]` and `b[i]` must
 * score the same item.
 */
export function pairedBootstrap(
  a: readonly number[],
  b: readonly number[],
  options: { readonly seed: number; readonly resamples?: number; readonly level?: number },
): PairedDifference {
  if (a.length !== b.length || a.length === 0) {
    throw new IsaraError(
      "invalid_argument",
      `a paired bootstrap needs two equally long, non-empty score lists (got ${a.length} and ${b.length})`,
    );
  }
  const n = a.length;
  const diffs = a.map((x, i) => x - (b[i] ?? 0));
  const mean = diffs.reduce((s, d) => s + d, 0) / n;
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  const rng = createRng(options.seed);
  const means: number[] = new Array(resamples);
  let above = 0;
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += diffs[randomInt(rng, n)] ?? 0;
    means[r] = sum / n;
    if (sum > 0) above++;
  }
  means.sort((x, y) => x - y);
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))] ?? mean;
  return {
    mean,
    low: at((1 - level) / 2),
    high: at(1 - (1 - level) / 2),
    probabilityAbove: above / resamples,
  };
}
