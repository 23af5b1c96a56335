import { z } from "zod";
import { defineFilter } from "./definition.js";
import type { SyncRoundFilter } from "./filter.js";
import { promptKey } from "./words.js";

/** Name of the {@link createExactDuplicateFilter} filter in verdicts. */
export const EXACT_DUPLICATE = "exact-duplicate";

/**
 * Rejects a prompt that is already in an earlier set (seeds included) or that an earlier slot of this
 * round already got accepted with (paper filter 1: training on copies adds nothing and skews the
 * data). Prompts are compared after whitespace normalisation (`promptKey`), case kept. Only accepted
 * copies count within the round, so when slot 3 repeats slot 1 and slot 1 was rejected for another
 * reason, slot 3 can still be kept.
 */
export function createExactDuplicateFilter(): SyncRoundFilter {
  return {
    name: EXACT_DUPLICATE,
    scope: "round",
    check(candidate, view) {
      const key = promptKey(candidate.prompt);
      const earlier = view.earlier.byKey.get(key);
      if (earlier !== undefined) {
        return {
          accepted: false,
          reason: `same prompt as ${earlier.id} in ${earlier.setIndex === 0 ? "the seeds" : `set ${earlier.setIndex}`}`,
        };
      }
      const twin = view.acceptedByKey.get(key);
      if (twin !== undefined) {
        return {
          accepted: false,
          reason: `same prompt as slot ${twin.slot}, accepted earlier in this round`,
        };
      }
      return { accepted: true, reason: "prompt not seen before" };
    },
  };
}

/** The registry's `exact-duplicate` filter: `{"name": "exact-duplicate"}`; it has no settings. */
export const exactDuplicateFilter = defineFilter({
  name: EXACT_DUPLICATE,
  settings: z.object({}),
  create: () => createExactDuplicateFilter(),
});
