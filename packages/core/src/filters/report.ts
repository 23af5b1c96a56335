import type { FilteredCandidate } from "./chain.js";

/**
 * Counts of one round's filter results, for the run report and the stop rule. Field names match the
 * run state's `FilterRecord` and the stop rules' `FilterCounts`, so a report can be stored as is.
 */
export interface FilterReport {
  /** Candidates that went into the chain. */
  readonly written: number;
  /** Candidates that passed every filter. */
  readonly accepted: number;
  /** `accepted / written`; 0 for an empty round (nothing was kept). */
  readonly keptFraction: number;
  /** Rejections per filter name, every filter of the chain listed (0 when it rejected nothing). A
   * candidate rejected by two filters counts under both, so these may add up to more than
   * `written - accepted`. */
  readonly rejectedBy: Readonly<Record<string, number>>;
}

/**
 * Summarises a round's filter results: how many were kept and what each filter dropped, which is what
 * a person needs to see whether a threshold is too strict, and what the `minKeptFraction` stop rule
 * reads.
 */
export function summarizeFilterResults(results: readonly FilteredCandidate[]): FilterReport {
  const rejectedBy: Record<string, number> = {};
  let accepted = 0;
  for (const r of results) {
    if (r.accepted) accepted++;
    for (const v of r.verdicts) rejectedBy[v.filter] = (rejectedBy[v.filter] ?? 0) + (v.accepted ? 0 : 1);
  }
  const written = results.length;
  return { written, accepted, keptFraction: written === 0 ? 0 : accepted / written, rejectedBy };
}
