import { z } from "zod";
import { dot } from "../vector-math.js";
import { defineFilter } from "./definition.js";
import type { SyncCandidateFilter } from "./filter.js";
import { vectorsOf } from "./vectors-of.js";

/** Name of the {@link createRelevanceFilter} filter in verdicts. */
export const RELEVANCE = "relevance";

/**
 * Rejects a pair whose answer's embedding is less similar to its prompt's than `minCosine`: an answer
 * about something else (the model drifted into another demo's topic or into noise) teaches the model
 * to ignore the question. The score is the cosine.
 */
export function createRelevanceFilter(minCosine: number): SyncCandidateFilter {
  return {
    name: RELEVANCE,
    scope: "candidate",
    check(candidate) {
      const v = vectorsOf(candidate, RELEVANCE);
      const cosine = dot(v.prompt, v.answer);
      const text = `prompt-answer cosine ${cosine.toFixed(3)}`;
      return cosine < minCosine
        ? { accepted: false, reason: `${text}, under ${minCosine}`, score: cosine }
        : { accepted: true, reason: `${text} (at least ${minCosine})`, score: cosine };
    },
  };
}

/** The registry's `relevance` filter: `{"name": "relevance", "minCosine": 0.2}`. */
export const relevanceFilter = defineFilter({
  name: RELEVANCE,
  settings: z.object({
    /** Lowest prompt-answer cosine kept. */
    minCosine: z.number().min(-1).max(1).default(0.2),
  }),
  create: ({ minCosine }) => createRelevanceFilter(minCosine),
});
