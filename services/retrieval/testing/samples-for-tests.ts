/**
 * FOR TESTS: samples of a run in the shapes the service receives them (core samples and their wire
 * form), so every test builds sets the same way: seeds in set 0, generated samples in set t of round t.
 */
import { sampleToWire, type Sample as WireSample } from "@isara/contracts";
import { type Sample, sampleId, seedSamples } from "@isara/core";

/** `count` seed samples of `run` (set 0) with prompts `"<run> seed question <i>"`, or the given prompts. */
export function seeds(run: string, count: number, prompts?: readonly string[]): Sample[] {
  return seedSamples(
    run,
    "test-domain",
    Array.from({ length: count }, (_, i) => ({
      prompt: prompts?.[i] ?? `${run} seed question ${i}`,
      response: `seed answer ${i}`,
    })),
  );
}

/** `count` generated samples of round `round` (set `round`), accepted by one filter. */
export function generated(run: string, round: number, count: number, prompts?: readonly string[]): Sample[] {
  return Array.from({ length: count }, (_, slot) => ({
    id: sampleId(run, round, slot),
    run,
    domain: "test-domain",
    round,
    setIndex: round,
    slot,
    prompt: prompts?.[slot] ?? `${run} round ${round} question ${slot}`,
    response: `generated answer ${slot}`,
    lineage: {
      promptDemos: [{ id: sampleId(run, 0, 0), setIndex: 0, score: null }],
      answerDemos: [{ id: sampleId(run, 0, 1), setIndex: 0, score: 0.5 }],
      promptTemplateVersion: "isara-conv-v1",
      generatorModel: "test-model",
      verdicts: [{ filter: "min-words", accepted: true, reason: "6 words >= 5", score: 6 }],
    },
  }));
}

/** The wire form of `samples`. */
export function wire(samples: readonly Sample[]): WireSample[] {
  return samples.map(sampleToWire);
}

/** A RunContext for `run` at `round`. */
export function context(run: string, round = 1) {
  return { run, domain: "test-domain", round, correlationId: `corr-${run}` };
}
