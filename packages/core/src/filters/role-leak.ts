import { z } from "zod";
import { findRoleKeyword } from "../prompt-format.js";
import { defineFilter } from "./definition.js";
import type { SyncCandidateFilter } from "./filter.js";

/** Name of the {@link createRoleLeakFilter} filter in verdicts. */
export const ROLE_LEAK = "role-leak";

/**
 * Rejects a pair whose prompt or answer still contains a role keyword of the conversation wrapper in
 * any case ("End OF CONVERSATION", "Assistant:" mixes): the turn writer cuts at keywords, so one that
 * is left is a spelling the cut did not know, and a model trained on it learns to write the wrapper
 * into its answers. Core's one keyword rule (`findRoleKeyword`), so what the quality figures count as
 * a leak is what this filter drops.
 */
export function createRoleLeakFilter(): SyncCandidateFilter {
  return {
    name: ROLE_LEAK,
    scope: "candidate",
    check(candidate) {
      for (const [what, text] of [
        ["prompt", candidate.prompt],
        ["answer", candidate.response],
      ] as const) {
        const at = findRoleKeyword(text);
        if (at >= 0) {
          const excerpt = text
            .slice(at, at + 30)
            .split(/\s+/)
            .slice(0, 4)
            .join(" ");
          return { accepted: false, reason: `${what} contains the role keyword "${excerpt}"` };
        }
      }
      return { accepted: true, reason: "no role keyword in prompt or answer" };
    },
  };
}

/** The registry's `role-leak` filter: `{"name": "role-leak"}`; it has no settings. */
export const roleLeakFilter = defineFilter({
  name: ROLE_LEAK,
  settings: z.object({}),
  create: () => createRoleLeakFilter(),
});
