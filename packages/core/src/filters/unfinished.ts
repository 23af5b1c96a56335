import { z } from "zod";
import { endsSentence, isUnfinished } from "../sentence-end.js";
import { defineFilter } from "./definition.js";
import type { SyncCandidateFilter } from "./filter.js";

/** Name of the {@link createUnfinishedFilter} filter in verdicts. */
export const UNFINISHED = "unfinished";

/**
 * Rejects a pair whose answer stops mid-sentence: a model trained on answers cut by the token limit
 * learns to stop mid-sentence. The rule is core's `isUnfinished`, the same one the `unfinished`
 * quality figure counts: an answer that ends a sentence (`.`, `!`, `?` or `…`, then closing quotes
 * or brackets) passes; one that does not is rejected when the writer says the token limit cut it, or
 * when most of the seeds' answers end sentences. When the seeds' answers mostly do not end sentences
 * (TruthfulQA's "Nothing happens"), an answer the model closed itself is the domain's style and passes.
 */
export function createUnfinishedFilter(): SyncCandidateFilter {
  return {
    name: UNFINISHED,
    scope: "candidate",
    check(candidate, earlier) {
      if (endsSentence(candidate.response)) return { accepted: true, reason: "answer ends a sentence" };
      const style = earlier.seedsEndSentences;
      if (!isUnfinished(candidate.response, candidate.truncated, style)) {
        return {
          accepted: true,
          reason: `answer was closed by the model; ${Math.round(100 * (style ?? 0))}% of the seeds' answers end a sentence`,
        };
      }
      const tail = candidate.response.trimEnd().split(/\s+/).slice(-4).join(" ");
      const stops = `answer stops mid-sentence ("…${tail.slice(-40)}")`;
      return {
        accepted: false,
        reason: candidate.truncated === true ? `${stops}, cut by the token limit` : stops,
      };
    },
  };
}

/** The registry's `unfinished` filter: `{"name": "unfinished"}`; it has no settings. */
export const unfinishedFilter = defineFilter({
  name: UNFINISHED,
  settings: z.object({}),
  create: () => createUnfinishedFilter(),
});
