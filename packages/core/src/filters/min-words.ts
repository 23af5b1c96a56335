import { z } from "zod";
import { IsaraError } from "../errors.js";
import { defineFilter } from "./definition.js";
import type { SyncCandidateFilter } from "./filter.js";
import { countWords } from "./words.js";

/** Name of the {@link createMinWordsFilter} filter in verdicts. */
export const MIN_WORDS = "min-words";

/**
 * Rejects a pair whose prompt or answer has fewer than `minWords` words (paper filter 3, default 5):
 * fragments teach the model to stop early. Words are whitespace-separated tokens (see `countWords`).
 * The verdict's score is the smaller of the two counts; the reason gives both.
 */
export function createMinWordsFilter(minWords: number): SyncCandidateFilter {
  if (!(Number.isInteger(minWords) && minWords >= 0)) {
    throw new IsaraError(
      "invalid_argument",
      `minimum word count must be a non-negative integer (the paper uses 5), got ${minWords}`,
    );
  }
  return {
    name: MIN_WORDS,
    scope: "candidate",
    check(candidate) {
      const promptWords = countWords(candidate.prompt);
      const answerWords = countWords(candidate.response);
      const counts = `prompt has ${words(promptWords)}, answer has ${words(answerWords)}`;
      const short = [promptWords < minWords ? "prompt" : "", answerWords < minWords ? "answer" : ""]
        .filter(Boolean)
        .join(" and ");
      const score = Math.min(promptWords, answerWords);
      if (short !== "") return { accepted: false, reason: `${counts}: ${short} under ${minWords}`, score };
      return { accepted: true, reason: `${counts} (at least ${minWords})`, score };
    },
  };
}

/**
 * The registry's `min-words` filter: `{"name": "min-words", "minWords": 5}` in a domain's `filters`
 * list. The minimum's range and default are the paper's (and the old `filter.minWords`'s).
 */
export const minWordsFilter = defineFilter({
  name: MIN_WORDS,
  settings: z.object({
    /** Reject prompts or answers with fewer words than this. */
    minWords: z.number().int().min(0).max(1000).default(5),
  }),
  create: ({ minWords }) => createMinWordsFilter(minWords),
});

function words(n: number): string {
  return n === 1 ? "1 word" : `${n} words`;
}
