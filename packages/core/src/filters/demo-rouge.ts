import { z } from "zod";
import { IsaraError } from "../errors.js";
import { rougeLMax } from "../rouge.js";
import { defineFilter } from "./definition.js";
import type { SyncCandidateFilter } from "./filter.js";

/** Name of the {@link createDemoRougeFilter} filter in verdicts. */
export const ROUGE_L = "rouge-l";

/**
 * Rejects a prompt whose ROUGE-L F1 against any of its own demo prompts is above `threshold`
 * (paper filter 2, default 0.7, as in Self-Instruct): a prompt that mostly copies a demo it was shown
 * adds no diversity. Strictly above: a score equal to the threshold passes. ROUGE-L is rouge-score's
 * (see rouge.ts). The verdict's score is the highest F1; a prompt written without demos passes with 0.
 */
export function createDemoRougeFilter(threshold: number): SyncCandidateFilter {
  if (!(Number.isFinite(threshold) && threshold >= 0 && threshold <= 1)) {
    throw new IsaraError(
      "invalid_argument",
      `ROUGE-L threshold must be a number from 0 to 1 (the paper uses 0.7), got ${threshold}`,
    );
  }
  return {
    name: ROUGE_L,
    scope: "candidate",
    check(candidate) {
      const demos = candidate.promptDemos;
      if (demos.length === 0) {
        return { accepted: true, reason: "no demo prompts to compare with", score: 0 };
      }
      const best = rougeLMax(
        candidate.prompt,
        demos.map((d) => d.prompt),
      );
      const score = best.fmeasure;
      const against = demos[best.index]?.id ?? "?";
      if (score > threshold) {
        return {
          accepted: false,
          reason: `ROUGE-L ${fmt(score)} > ${threshold} against demo ${against}`,
          score,
        };
      }
      return {
        accepted: true,
        reason: `highest ROUGE-L ${fmt(score)} <= ${threshold} (demo ${against}, ${demos.length} compared)`,
        score,
      };
    },
  };
}

/**
 * The registry's `rouge-l` filter: `{"name": "rouge-l", "threshold": 0.7}` in a domain's `filters`
 * list. The threshold's range and default are the paper's (and the old `filter.rougeLThreshold`'s).
 */
export const rougeLFilter = defineFilter({
  name: ROUGE_L,
  settings: z.object({
    /** Reject a prompt whose ROUGE-L F1 against any of its own demo prompts is above this. */
    threshold: z.number().min(0).max(1).default(0.7),
  }),
  create: ({ threshold }) => createDemoRougeFilter(threshold),
});

function fmt(score: number): string {
  return score.toFixed(3);
}
