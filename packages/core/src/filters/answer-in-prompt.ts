import { z } from "zod";
import { defineFilter } from "./definition.js";
import type { SyncCandidateFilter } from "./filter.js";
import { normalizeWhitespace } from "./words.js";

/** Name of the {@link createAnswerInPromptFilter} filter in verdicts. */
export const ANSWER_IN_PROMPT = "answer-in-prompt";

/**
 * Rejects a pair whose answer appears inside its prompt (paper filter 4): the model echoed the
 * question or the prompt leaked its own answer, and training on it teaches copying. Compared after
 * whitespace normalisation and case folding, so "Paris is the capital." inside "…PARIS IS THE
 * CAPITAL. Right?" counts. An empty answer is rejected here too: it is trivially contained.
 */
export function createAnswerInPromptFilter(): SyncCandidateFilter {
  return {
    name: ANSWER_IN_PROMPT,
    scope: "candidate",
    check(candidate) {
      const answer = normalizeWhitespace(candidate.response).toLowerCase();
      if (answer === "") return { accepted: false, reason: "answer is empty" };
      if (normalizeWhitespace(candidate.prompt).toLowerCase().includes(answer)) {
        return { accepted: false, reason: "answer appears verbatim in the prompt" };
      }
      return { accepted: true, reason: "answer is not part of the prompt" };
    },
  };
}

/** The registry's `answer-in-prompt` filter: `{"name": "answer-in-prompt"}`; it has no settings. */
export const answerInPromptFilter = defineFilter({
  name: ANSWER_IN_PROMPT,
  settings: z.object({}),
  create: () => createAnswerInPromptFilter(),
});
