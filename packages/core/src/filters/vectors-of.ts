import { IsaraError } from "../errors.js";
import type { CandidateVectors, FilterCandidate } from "./filter.js";

/**
 * The candidate's embeddings, for the filters that need them.
 * @throws IsaraError `internal` when the caller ran the chain without them: core's filter step
 *   embeds every candidate, so a candidate without vectors means a caller skipped that step.
 */
export function vectorsOf(candidate: FilterCandidate, filter: string): CandidateVectors {
  if (candidate.vectors === undefined) {
    throw new IsaraError(
      "internal",
      `filter "${filter}" needs the candidates' embeddings and slot ${candidate.slot} has none; run the chain through the filter step, which embeds them`,
    );
  }
  return candidate.vectors;
}
