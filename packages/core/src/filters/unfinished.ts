import { z } from "zod";
import { endsSentence } from "../sentence-end.js";
import { defineFilter } from "./definition.js";
import type { SyncCandidateFilter } from "./filter.js";

/** Name of the {@link createUnfinishedFilter} filter in verdicts. */
export const UNFINISHED = "unfinished";

/**
 * Rejects a pair whose answer does not end a sentence (core's `endsSentence`: `.`, `!`, `?` or `…`,
 * then closing quotes or brackets): the token limit cut it off, and a model trained on answers that
 * stop mid-sentence learns to stop mid-sentence. Domains whose answers are lists or code without
 * final punctuation should leave this filter out of their chain.
 */
export function createUnfinishedFilter(): SyncCandidateFilter {
  return {
    name: UNFINISHED,
    scope: "candidate",
    check(candidate) {
      if (endsSentence(candidate.response)) return { accepted: true, reason: "answer ends a sentence" };
      const tail = candidate.response.trimEnd().split(/\s+/).slice(-4).join(" ");
      return { accepted: false, reason: `answer stops mid-sentence ("…${tail.slice(-40)}")` };
    },
  };
}

/** The registry's `unfinished` filter: `{"name": "unfinished"}`; it has no settings. */
export const unfinishedFilter = defineFilter({
  name: UNFINISHED,
  settings: z.object({}),
  create: () => createUnfinishedFilter(),
});
