/**
 * Choosing the in-context demos of one generation slot, per set quota (see `demoQuotas`):
 * at random when the model writes a new prompt (diversity), by similarity to the new prompt when it
 * writes the answer (relevance), as in the ISARA paper. Pure functions: the caller does the vector
 * search and brings the randomness, so a slot's choice is reproducible from its seed.
 */
import { IsaraError } from "./errors.js";
import type { Rng, ScoredSample } from "./ports.js";
import { sampleWithoutReplacement, shuffle } from "./rng.js";
import type { DemoRef, Sample } from "./sample.js";
import type { DropFrom } from "./token-budget.js";

/** One chosen demo: the sample to show and the reference recorded in lineage. */
export interface DemoPick {
  readonly sample: Sample;
  /** `setIndex` is the position of the set in the caller's list (0 = seeds); `score` is null for random picks. */
  readonly ref: DemoRef;
}

/** Demos for one prompt, in the order they go into the prompt. */
export interface DemoSelection {
  readonly picks: readonly DemoPick[];
  /** End of `picks` holding the least valuable demos; pass it to `fitDemos` so the budget drops those first. */
  readonly dropFrom: DropFrom;
}

function checkQuotas(setCount: number, quotas: readonly number[]): void {
  if (quotas.length !== setCount) {
    throw new IsaraError(
      "invalid_argument",
      `got ${setCount} sets but ${quotas.length} quotas; give one quota per set (see demoQuotas)`,
    );
  }
  quotas.forEach((quota, set) => {
    if (!Number.isSafeInteger(quota) || quota < 0) {
      throw new IsaraError(
        "invalid_argument",
        `quota of set ${set} must be a non-negative integer, got ${quota}`,
      );
    }
  });
}

/**
 * Random demos for writing a new prompt: `quotas[i]` distinct samples of `sets[i]`, uniformly (a set
 * smaller than its quota gives all it has), then shuffled together so no set always sits next to the
 * open ending, where the model imitates most. Deterministic for a given `rng` state; derive the rng
 * per slot (`createRng(deriveSeed(seed, "prompt-demos", round, slot))`) so slots are independent.
 * The order carries no priority, so the budget drops from the end (`dropFrom: "end"`).
 */
export function selectRandomDemos(
  sets: readonly (readonly Sample[])[],
  quotas: readonly number[],
  rng: Rng,
): DemoSelection {
  checkQuotas(sets.length, quotas);
  const picks: DemoPick[] = [];
  sets.forEach((set, setIndex) => {
    const count = Math.min(quotas[setIndex] ?? 0, set.length);
    for (const sample of sampleWithoutReplacement(rng, set, count)) {
      picks.push({ sample, ref: { id: sample.id, setIndex, score: null } });
    }
  });
  return { picks: shuffle(rng, picks), dropFrom: "end" };
}

/** Prompts compare equal when they render identically, i.e. after trimming (the template trims). */
function promptKey(prompt: string): string {
  return prompt.trim();
}

/**
 * Nearest-neighbour demos for writing the answer to `question`: from each set i, the `quotas[i]` most
 * similar hits of `resultsPerSet[i]` (the vector search restricted to set i; ask it for a few more than
 * the quota, because hits are skipped when their prompt is exactly the question, which would let the
 * model copy an answer, or a prompt already picked, which would waste a slot). Sets are visited in
 * order, so a prompt present in the seeds and in a later set is shown once, as the seed.
 *
 * The picks are ordered least similar first, most similar last, right before the question: models
 * lean most on the nearest context, so the best demo goes there. The budget therefore drops from the
 * start (`dropFrom: "start"`), losing the least similar demos first. Ties keep set order, then rank.
 */
export function selectNearestDemos(
  question: string,
  resultsPerSet: readonly (readonly ScoredSample[])[],
  quotas: readonly number[],
): DemoSelection {
  checkQuotas(resultsPerSet.length, quotas);
  const seenPrompts = new Set<string>([promptKey(question)]);
  const seenIds = new Set<string>();
  const picks: DemoPick[] = [];
  resultsPerSet.forEach((results, setIndex) => {
    for (const hit of results) {
      if (!Number.isFinite(hit.score)) {
        throw new IsaraError(
          "invalid_argument",
          `search hit ${hit.sample.id} of set ${setIndex} has score ${hit.score}; similarity scores must be finite`,
        );
      }
    }
    const quota = quotas[setIndex] ?? 0;
    const bestFirst = [...results].sort((a, b) => b.score - a.score);
    let taken = 0;
    for (const hit of bestFirst) {
      if (taken >= quota) break;
      const key = promptKey(hit.sample.prompt);
      if (seenPrompts.has(key) || seenIds.has(hit.sample.id)) continue;
      seenPrompts.add(key);
      seenIds.add(hit.sample.id);
      picks.push({ sample: hit.sample, ref: { id: hit.sample.id, setIndex, score: hit.score } });
      taken++;
    }
  });
  // Array.prototype.sort is stable, so equal scores keep set order, then rank.
  picks.sort((a, b) => (a.ref.score ?? 0) - (b.ref.score ?? 0));
  return { picks, dropFrom: "start" };
}

/** The samples of a selection, in prompt order, ready for `questionPrompt` / `answerPrompt`. */
export function pickedSamples(picks: readonly DemoPick[]): Sample[] {
  return picks.map((p) => p.sample);
}

/** The lineage references of a selection, in prompt order. */
export function pickedRefs(picks: readonly DemoPick[]): DemoRef[] {
  return picks.map((p) => p.ref);
}
