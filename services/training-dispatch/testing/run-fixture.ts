/**
 * Test support: a small but valid run snapshot (domain config with small trainer settings, 8 seeds,
 * 2 eval questions) and round accepted sets written to an artifact store under the distributed
 * layout, and the TrainWork that trains a round of it, as the controller sends it (the round's
 * learning rate, epochs and seed; no copies of the run's trainer settings). Not exported.
 */
import {
  roundWorkKey,
  runArtifacts,
  TrainingData,
  TrainingMethod,
  type TrainWork,
  toJsonl,
} from "@isara/contracts";
import { type ArtifactStore, type Sample, sampleId } from "@isara/core";

/** Domain name of the fixture runs. */
export const FIXTURE_DOMAIN = "tiny-plants";

/** Seed pairs of the fixture domain (set 0). */
export const FIXTURE_SEEDS = Array.from({ length: 8 }, (_, i) => ({
  prompt: `How often should plant number ${i + 1} be watered?`,
  response: `Plant number ${i + 1} needs water once every ${i + 2} days.`,
}));

const EVAL = [
  { id: "e1", prompt: "How often should a cactus be watered?", correct: ["Rarely."], incorrect: ["Daily."] },
  { id: "e2", prompt: "Do ferns like shade?", correct: ["Yes, most do."], incorrect: [] },
];

/** The fixture domain's trainer settings: small enough for the tiny test model. */
export const FIXTURE_TRAINING = {
  method: "lora",
  batchSize: 4,
  maxSequenceLength: 64,
  loraRank: 2,
  loraAlpha: 4,
  loraDropout: 0,
} as const;

/** Writes the domain snapshot of `run`, as the controller does when a run starts. */
export async function writeFixtureRun(artifacts: ArtifactStore, run: string): Promise<void> {
  const keys = runArtifacts(run);
  await artifacts.write(
    keys.domainConfig,
    JSON.stringify({ name: FIXTURE_DOMAIN, isara: { seed: 7 }, training: FIXTURE_TRAINING }),
  );
  await artifacts.write(keys.domainSeeds, toJsonl(FIXTURE_SEEDS));
  await artifacts.write(keys.domainEval, toJsonl(EVAL));
}

/** Accepted samples of round `round` with the given prompts, as the controller writes accepted.jsonl. */
export function acceptedSamples(run: string, round: number, prompts: readonly string[]): Sample[] {
  return prompts.map((prompt, slot) => ({
    id: sampleId(run, round, slot),
    run,
    domain: FIXTURE_DOMAIN,
    round,
    setIndex: round,
    slot,
    prompt,
    response: `An answer to "${prompt}" in plain words.`,
    lineage: {
      promptDemos: [{ id: sampleId(run, 0, 0), setIndex: 0, score: null }],
      answerDemos: [{ id: sampleId(run, 0, 1), setIndex: 0, score: 0.8 }],
      promptTemplateVersion: "v1",
      generatorModel: "tiny",
      verdicts: [{ filter: "min-words", accepted: true, reason: "long enough" }],
    },
  }));
}

/** Writes round `round`'s accepted set of `run` and returns its samples. */
export async function writeAccepted(
  artifacts: ArtifactStore,
  run: string,
  round: number,
  prompts: readonly string[],
): Promise<Sample[]> {
  const samples = acceptedSamples(run, round, prompts);
  await artifacts.write(runArtifacts(run).accepted(round), toJsonl(samples));
  return samples;
}

/** Options of {@link fixtureWork}. */
export interface FixtureWorkOptions {
  readonly round?: number;
  readonly data?: TrainingData;
  readonly baseModel?: string;
  readonly previousAdapter?: string;
  readonly learningRate?: number;
  readonly epochs?: number;
  readonly correlationId?: string;
}

/** A valid TrainWork for `run` of the fixture domain: ISARA data (seeds and round) on round 1 unless told otherwise. */
export function fixtureWork(run: string, options: FixtureWorkOptions = {}): TrainWork {
  const round = options.round ?? 1;
  return {
    context: { run, domain: FIXTURE_DOMAIN, round, correlationId: options.correlationId ?? `req-${run}` },
    idempotencyKey: roundWorkKey(run, round, "train"),
    baseModel: options.baseModel ?? "tiny",
    data: options.data ?? TrainingData.SEEDS_AND_ROUND,
    ...(options.previousAdapter === undefined ? {} : { previousAdapter: options.previousAdapter }),
    learningRate: options.learningRate ?? 2e-4,
    epochs: options.epochs ?? 1,
    // Deprecated copies of the run's trainer settings: unset, as the controller sends the work now.
    method: TrainingMethod.UNSPECIFIED,
    batchSize: 0,
    maxSequenceLength: 0,
    loraRank: 0,
    loraAlpha: 0,
    loraDropout: 0,
    seed: 11 + round,
    outputKey: runArtifacts(run).trainDir(round),
  };
}
