import type { FilterCandidate } from "../../src/filters/filter.js";

/**
 * Builds a filter candidate for tests: a prompt and answer long enough for the paper's word minimum,
 * no demos, unless overridden.
 */
export function candidate(
  slot: number,
  overrides: Partial<Omit<FilterCandidate, "slot">> = {},
): FilterCandidate {
  return {
    slot,
    prompt: `What is a good way to practise question number ${slot} at home?`,
    response: `Set aside twenty quiet minutes each day for question ${slot} and write down what you learn.`,
    promptDemos: [],
    ...overrides,
  };
}
