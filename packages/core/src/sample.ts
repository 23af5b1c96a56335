import { createHash } from "node:crypto";

/** Why a filter accepted or rejected a sample. Every verdict keeps its reason so a person can audit the data. */
export interface FilterVerdict {
  /** Name of the filter that gave the verdict, e.g. `rouge-l`. */
  readonly filter: string;
  /** `true` when the sample passed this filter. */
  readonly accepted: boolean;
  /** Human-readable reason, e.g. `ROUGE-L 0.82 > 0.7 against demo sd-3`. */
  readonly reason: string;
  /** Optional score the decision was based on (ROUGE-L, word count, …). */
  readonly score?: number;
}

/** One in-context demonstration used to write a sample, with its retrieval score (`null` for random picks). */
export interface DemoRef {
  readonly id: string;
  /** Index of the set the demo came from: 0 = seeds, t = accepted set of round t. */
  readonly setIndex: number;
  /** Similarity to the new prompt for nearest-neighbour picks; `null` for random picks. */
  readonly score: number | null;
}

/** Where a sample came from and what happened to it: enough to reproduce and audit it. */
export interface Lineage {
  /** Demos shown when the prompt was written. */
  readonly promptDemos: readonly DemoRef[];
  /** Demos shown when the answer was written. */
  readonly answerDemos: readonly DemoRef[];
  /** Version of the prompt template (see {@link PROMPT_TEMPLATE_VERSION}). */
  readonly promptTemplateVersion: string;
  /** Model (and adapter) that wrote the sample. */
  readonly generatorModel: string;
  /** Filter verdicts in chain order. */
  readonly verdicts: readonly FilterVerdict[];
  /** Training run that consumed the sample, once it has been trained on. */
  readonly trainedBy?: string;
}

/**
 * A `(prompt, response)` pair in one of the run's sets. Seeds are set 0, round 0; generated samples
 * are set t, round t. The id is deterministic, so a retried step writes the same sample, not a new one.
 */
export interface Sample {
  readonly id: string;
  readonly run: string;
  readonly domain: string;
  readonly round: number;
  readonly setIndex: number;
  /** Position of the sample in its round: slot i of N. */
  readonly slot: number;
  readonly prompt: string;
  readonly response: string;
  readonly lineage: Lineage;
}

/**
 * Deterministic sample id: the first 24 hex characters of sha256(`run/round/slot`).
 * Same inputs, same id, on any machine, so retries and redeliveries are idempotent.
 */
export function sampleId(run: string, round: number, slot: number): string {
  if (!Number.isInteger(round) || round < 0)
    throw new RangeError(`round must be a non-negative integer, got ${round}`);
  if (!Number.isInteger(slot) || slot < 0)
    throw new RangeError(`slot must be a non-negative integer, got ${slot}`);
  return createHash("sha256").update(`${run}/${round}/${slot}`).digest("hex").slice(0, 24);
}

/** Lineage of a seed pair: written by people, shown to nobody, accepted by definition. */
export function seedLineage(): Lineage {
  return {
    promptDemos: [],
    answerDemos: [],
    promptTemplateVersion: "seed",
    generatorModel: "human",
    verdicts: [],
  };
}

/** Turns a domain's seed pairs into set-0 samples with deterministic ids. */
export function seedSamples(
  run: string,
  domain: string,
  seeds: readonly { readonly prompt: string; readonly response: string }[],
): Sample[] {
  return seeds.map((seed, slot) => ({
    id: sampleId(run, 0, slot),
    run,
    domain,
    round: 0,
    setIndex: 0,
    slot,
    prompt: seed.prompt,
    response: seed.response,
    lineage: seedLineage(),
  }));
}

/** `true` when every verdict accepted the sample (and there is at least the chain's say). */
export function isAccepted(sample: Sample): boolean {
  return sample.lineage.verdicts.every((v) => v.accepted);
}
