import { z } from "zod";
import { NEAR_DUPLICATE_COSINE } from "../sample-quality.js";
import { dot } from "../vector-math.js";
import { defineFilter } from "./definition.js";
import type { SyncRoundFilter } from "./filter.js";
import { vectorsOf } from "./vectors-of.js";

/** Name of the {@link createNearDuplicateFilter} filter in verdicts. */
export const NEAR_DUPLICATE = "near-duplicate";

/**
 * Rejects a prompt whose embedding is within `maxCosine` of a prompt of an earlier set (seeds
 * included) or of a prompt accepted earlier in this round: a paraphrase teaches as little as a copy,
 * and the exact-duplicate filter sees only copies. Like exact-duplicate, only accepted prompts of
 * this round count, in slot order. The score is the highest cosine found.
 */
export function createNearDuplicateFilter(maxCosine: number): SyncRoundFilter {
  return {
    name: NEAR_DUPLICATE,
    scope: "round",
    check(candidate, view) {
      const mine = vectorsOf(candidate, NEAR_DUPLICATE);
      let best = { cosine: mine.nearestEarlier ?? -1, of: mine.nearestEarlierId ?? "" };
      for (const other of view.accepted) {
        const cosine = dot(mine.prompt, vectorsOf(other, NEAR_DUPLICATE).prompt);
        if (cosine > best.cosine) best = { cosine, of: `slot ${other.slot} of this round` };
      }
      const score = Math.max(best.cosine, 0);
      if (best.cosine >= maxCosine) {
        return {
          accepted: false,
          reason: `prompt is a near-duplicate of ${best.of} (cosine ${best.cosine.toFixed(3)} ≥ ${maxCosine})`,
          score,
        };
      }
      return { accepted: true, reason: `closest earlier prompt at cosine ${score.toFixed(3)}`, score };
    },
  };
}

/** The registry's `near-duplicate` filter: `{"name": "near-duplicate", "maxCosine": 0.9}`. */
export const nearDuplicateFilter = defineFilter({
  name: NEAR_DUPLICATE,
  settings: z.object({
    /** Prompt cosine from which a prompt is a near-duplicate. */
    maxCosine: z.number().min(0).max(1).default(NEAR_DUPLICATE_COSINE),
  }),
  create: ({ maxCosine }) => createNearDuplicateFilter(maxCosine),
});
