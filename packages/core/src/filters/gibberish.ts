import { z } from "zod";
import { DEFAULT_CAPS_RUN_LETTERS, longestCapsRun, nonWordCount } from "../text-quality.js";
import { defineFilter } from "./definition.js";
import type { SyncCandidateFilter } from "./filter.js";

/** Name of the {@link createGibberishFilter} filter in verdicts. */
export const GIBBERISH = "gibberish";

/** Settings of the gibberish filter. */
export interface GibberishSettings {
  /** Letters in a run of capital words from which a text is rejected (acronyms are shorter). */
  readonly minCapsRunLetters: number;
  /** Largest share of the answer's words that may be non-words (text-quality.ts' `isNonWord`). */
  readonly maxNonWordShare: number;
}

/**
 * Rejects a pair whose prompt or answer escapes into capital-letter gibberish ("THE UNITED LANDLESS
 * DEPARTURE": a run of capital words of `minCapsRunLetters` letters or more) or whose answer has
 * more than `maxNonWordShare` non-words. A small model with a strong repetition penalty over a long
 * prompt writes such runs; trained on, they come back in its answers. The score is the run's letters.
 */
export function createGibberishFilter(settings: GibberishSettings): SyncCandidateFilter {
  return {
    name: GIBBERISH,
    scope: "candidate",
    check(candidate) {
      const prompt = longestCapsRun(candidate.prompt);
      const answer = longestCapsRun(candidate.response);
      const run =
        answer.letters >= prompt.letters ? { ...answer, where: "answer" } : { ...prompt, where: "prompt" };
      if (run.letters >= settings.minCapsRunLetters) {
        return {
          accepted: false,
          reason: `${run.where} has a run of capitals of ${run.letters} letters ("${run.text.slice(0, 40)}"), at least ${settings.minCapsRunLetters}`,
          score: run.letters,
        };
      }
      const { words, nonWords } = nonWordCount(candidate.response);
      const nonWordShare = words === 0 ? 0 : nonWords / words;
      if (nonWordShare > settings.maxNonWordShare) {
        return {
          accepted: false,
          reason: `${nonWords} of the answer's ${words} words are not words, more than ${settings.maxNonWordShare}`,
          score: run.letters,
        };
      }
      return {
        accepted: true,
        reason: "no capital-letter run or non-words beyond the limits",
        score: run.letters,
      };
    },
  };
}

/** The registry's `gibberish` filter: `{"name": "gibberish", "minCapsRunLetters": 10, "maxNonWordShare": 0.1}`. */
export const gibberishFilter = defineFilter({
  name: GIBBERISH,
  settings: z.object({
    /** Letters in a run of capital words from which a text is rejected. */
    minCapsRunLetters: z.number().int().min(2).max(1000).default(DEFAULT_CAPS_RUN_LETTERS),
    /** Largest share of the answer's words that may be non-words. */
    maxNonWordShare: z.number().min(0).max(1).default(0.1),
  }),
  create: (settings) => createGibberishFilter(settings),
});
