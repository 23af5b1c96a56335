/**
 * Test support: a filter that is not in core, written the way a new filter is added there (one file:
 * settings schema, name, function, definition). Registering it is one line, `[...FILTER_REGISTRY,
 * shoutingFilter]`; filter-registry.test.ts shows both modes then run it from the same domain.json.
 * Not exported.
 */
import { defineFilter, type SyncCandidateFilter } from "@isara/core";
import { z } from "zod";

/** Name of the filter in domain.json and in its verdicts. */
export const SHOUTING = "shouting";

/** Rejects an answer with more than `maxCapitals` capital letters (an answer that shouts). */
export function createShoutingFilter(maxCapitals: number): SyncCandidateFilter {
  return {
    name: SHOUTING,
    scope: "candidate",
    check(candidate) {
      const capitals = candidate.response.match(/\p{Lu}/gu)?.length ?? 0;
      return capitals > maxCapitals
        ? { accepted: false, reason: `${capitals} capitals > ${maxCapitals}`, score: capitals }
        : { accepted: true, reason: `${capitals} capitals <= ${maxCapitals}`, score: capitals };
    },
  };
}

/** `{"name": "shouting", "maxCapitals": 2}` in a domain's `filters` list. */
export const shoutingFilter = defineFilter({
  name: SHOUTING,
  settings: z.object({ maxCapitals: z.number().int().min(0).default(3) }),
  create: ({ maxCapitals }) => createShoutingFilter(maxCapitals),
});
