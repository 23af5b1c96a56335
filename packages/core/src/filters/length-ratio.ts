import { z } from "zod";
import { IsaraError } from "../errors.js";
import { defineFilter } from "./definition.js";
import type { SyncCandidateFilter } from "./filter.js";
import { countWords } from "./words.js";

/** Name of the {@link createLengthRatioFilter} filter in verdicts. */
export const LENGTH_RATIO = "length-ratio";

/**
 * Rejects a pair whose answer length, over the seeds' median answer length in words, is outside
 * [`min`, `max`]: the seeds say how long an answer of the domain is, and a round of answers much
 * longer (rambling to the token limit) or shorter shifts the model away from them. The score is the ratio.
 */
export function createLengthRatioFilter(min: number, max: number): SyncCandidateFilter {
  if (!(min <= max)) {
    throw new IsaraError(
      "invalid_argument",
      `length-ratio's min (${min}) is above its max (${max}); give min ≤ max`,
    );
  }
  return {
    name: LENGTH_RATIO,
    scope: "candidate",
    check(candidate, earlier) {
      const seedWords = earlier.seedAnswerWords;
      if (seedWords === null || seedWords === 0) {
        return { accepted: true, reason: "no seed answers to measure against" };
      }
      const ratio = countWords(candidate.response) / seedWords;
      const text = `answer is ${ratio.toFixed(2)}× the seeds' median of ${seedWords} words`;
      return ratio < min || ratio > max
        ? { accepted: false, reason: `${text}, outside [${min}, ${max}]`, score: ratio }
        : { accepted: true, reason: text, score: ratio };
    },
  };
}

/** The registry's `length-ratio` filter: `{"name": "length-ratio", "min": 0.25, "max": 4}`. */
export const lengthRatioFilter = defineFilter({
  name: LENGTH_RATIO,
  settings: z
    .object({
      /** Shortest answer kept, as a multiple of the seeds' median answer words. */
      min: z.number().min(0).max(100).default(0.25),
      /** Longest answer kept, as the same multiple. */
      max: z.number().min(0).max(100).default(4),
    })
    .refine((s) => s.min <= s.max, { message: "min is above max; give min ≤ max", path: ["max"] }),
  create: ({ min, max }) => createLengthRatioFilter(min, max),
});
