/**
 * Stop rules of the ISARA loop. Each rule is a pure function that returns the reason to stop, in
 * words for the run report, or `null` to go on. The run machine applies them: the kept-fraction rule
 * right after a round's filter phase (a round whose data is mostly rejected does not train, since
 * training on it would only teach the model its own failures), the others after each evaluation.
 */
import type { StopSettings } from "./domain.js";
import { IsaraError } from "./errors.js";

/**
 * Stops once the last round of the plan has been evaluated. `lastRound` is the highest round number
 * of the plan (0 for a run that only evaluates the base model).
 */
export function maxRoundsRule(round: number, lastRound: number): string | null {
  if (round < lastRound) return null;
  return lastRound === 0
    ? "max rounds reached: the plan has only the base-model evaluation"
    : `max rounds reached: round ${round} was the last of ${lastRound}`;
}

/** Counts of one round's filter phase, as the kept-fraction rule needs them. */
export interface FilterCounts {
  /** Samples that went into the filter chain. */
  readonly written: number;
  /** Samples every filter accepted. */
  readonly accepted: number;
}

/**
 * Stops when the fraction of the round's samples that passed every filter (accepted / written) is
 * below `minKeptFraction`: the model no longer writes usable data, so more rounds waste compute. A
 * round that wrote nothing counts as keeping 0 of them.
 */
export function keptFractionRule(
  counts: FilterCounts,
  stop: Pick<StopSettings, "minKeptFraction">,
): string | null {
  const kept = counts.written === 0 ? 0 : counts.accepted / counts.written;
  if (kept >= stop.minKeptFraction) return null;
  return (
    `kept fraction too low: ${counts.accepted} of ${counts.written} samples passed the filters ` +
    `(${formatFraction(kept)} < stop.minKeptFraction ${formatFraction(stop.minKeptFraction)}); the round did not train`
  );
}

/**
 * Stops when none of the last `patience` rounds improved `metric` by more than `minImprovement` over
 * the best value of all rounds before it (round 0, the base model, included). Higher is better.
 * `history[r]` is the metric of round r, from round 0 to the latest. `patience` 0 disables the rule.
 */
export function noImprovementRule(
  history: readonly number[],
  stop: Pick<StopSettings, "metric" | "patience" | "minImprovement">,
): string | null {
  const latest = history.length - 1;
  if (stop.patience === 0 || latest < stop.patience) return null;
  for (let round = latest - stop.patience + 1; round <= latest; round++) {
    const value = history[round] ?? Number.NEGATIVE_INFINITY;
    if (value > bestBefore(history, round).value + stop.minImprovement) return null;
  }
  const best = bestBefore(history, latest + 1);
  const rounds = stop.patience === 1 ? "1 round" : `${stop.patience} rounds`;
  return (
    `no improvement: "${stop.metric}" did not rise by more than ${stop.minImprovement} for ${rounds}; ` +
    `best ${best.value} in round ${best.round}, latest ${history[latest]} in round ${latest}`
  );
}

function bestBefore(history: readonly number[], end: number): { value: number; round: number } {
  let best = { value: Number.NEGATIVE_INFINITY, round: -1 };
  for (let round = 0; round < end; round++) {
    const value = history[round] ?? Number.NEGATIVE_INFINITY;
    if (value > best.value) best = { value, round };
  }
  return best;
}

/**
 * The watched metric of each round, round 0 first, from their evaluation metrics. Throws
 * `invalid_argument` naming the available metrics when one round lacks it, because a stop metric the
 * evaluator never reports would silently disable the rule.
 */
export function metricHistory(
  metricsByRound: readonly Readonly<Record<string, number>>[],
  metric: string,
): number[] {
  return metricsByRound.map((metrics, round) => {
    const value = metrics[metric];
    if (value === undefined) {
      const known = Object.keys(metrics).sort();
      throw new IsaraError(
        "invalid_argument",
        `stop.metric "${metric}" is not among the metrics of round ${round} (${known.join(", ") || "none"}); ` +
          "set stop.metric in domain.json to one of them",
        { metric, round, known },
      );
    }
    return value;
  });
}

function formatFraction(x: number): string {
  return Number(x.toFixed(4)).toString();
}
