/**
 * How many in-context demos each set contributes in a round. ISARA mixes the seeds (set 0) with one
 * demo from each earlier accepted set, so later rounds see the data the model has been moving toward
 * while the seeds keep anchoring the domain: in round t with K demos, K-(t-1) come from the seeds and
 * 1 from each of D1..D(t-1).
 */
import { IsaraError } from "./errors.js";

function requirePositiveInt(value: number, what: string, hint: string): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new IsaraError("invalid_argument", `${what} must be a positive integer, got ${value}; ${hint}`);
  }
}

/**
 * The paper's quotas for round `round` (1-based) and `demos` (K) demos, indexed by set (0 = seeds),
 * before looking at how large the sets are. Length `round`: sets D0..D(round-1) exist in round `round`.
 *
 * When there are more earlier sets than demo slots (round - 1 >= K), the formula would give the seeds
 * zero or fewer demos and the total would exceed K. We keep one seed demo, because the seeds are the
 * only human-written definition of the domain, and give one demo each to the K-1 most recent sets
 * (the oldest generated sets get none). The total is always exactly K.
 */
export function paperQuotas(round: number, demos: number): number[] {
  requirePositiveInt(round, "round", "rounds count from 1");
  requirePositiveInt(demos, "demos (K)", "set isara.demos (default 8)");
  const earlier = round - 1;
  const fromEarlier = Math.min(earlier, demos - 1);
  const quotas = new Array<number>(round).fill(0);
  quotas[0] = demos - fromEarlier;
  for (let set = round - fromEarlier; set < round; set++) quotas[set] = 1;
  return quotas;
}

/**
 * Quotas for round `round` with `demos` (K) demos, adjusted to the sets that exist: `setSizes[i]` is
 * how many samples set i holds (i = 0 seeds, then D1..D(round-1)), so `setSizes.length` must be `round`.
 *
 * A generated set smaller than its quota (empty when a round kept nothing) gives what it has, and the
 * shortfall goes back to the seeds, so the prompt still carries K demos. If the seeds cannot cover it
 * either, each set gives all it has and the total falls below K: better fewer demos than repeated ones.
 *
 * @throws IsaraError `invalid_argument` for a non-positive round or K, a wrong number of set sizes,
 *   or an empty seed set (without seeds there is nothing to define the domain).
 */
export function demoQuotas(round: number, demos: number, setSizes: readonly number[]): number[] {
  const quotas = paperQuotas(round, demos);
  if (setSizes.length !== round) {
    throw new IsaraError(
      "invalid_argument",
      `round ${round} draws demos from ${round} sets (seeds and D1..D${round - 1}), got ${setSizes.length} set sizes`,
    );
  }
  setSizes.forEach((size, set) => {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new IsaraError(
        "invalid_argument",
        `size of set ${set} must be a non-negative integer, got ${size}`,
      );
    }
  });
  const seeds = setSizes[0] ?? 0;
  if (seeds === 0) {
    throw new IsaraError(
      "invalid_argument",
      "the seed set (set 0) is empty; a domain needs seed pairs to draw demos from",
    );
  }
  let shortfall = 0;
  const adjusted = quotas.map((quota, set) => {
    if (set === 0) return quota;
    const size = setSizes[set] ?? 0;
    shortfall += Math.max(0, quota - size);
    return Math.min(quota, size);
  });
  adjusted[0] = Math.min((quotas[0] ?? 0) + shortfall, seeds);
  return adjusted;
}
