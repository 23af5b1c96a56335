/**
 * Test support: a run's seeds, its domain snapshot (where the stage reads the run's sampling and
 * token budget), and valid PromptWork / AnswerWork for it as the controller sends them: identity,
 * seeds and quotas, no copies of the run's settings (round 1, K = 4 seed demos). Not exported.
 */
import { type AnswerWork, type DemoRef, type PromptWork, runArtifacts } from "@isara/contracts";
import {
  type ArtifactStore,
  type DomainConfig,
  deriveSeed,
  domainConfigSchema,
  type Sample,
  sampleId,
  seedSamples,
} from "@isara/core";

/** Domain of the fixture runs. */
export const FIXTURE_DOMAIN = "tiny-gen";

/** The fixture domain's config: the run seed, K = 4, a budget and short completions for the tiny model. */
export const FIXTURE_CONFIG: DomainConfig = domainConfigSchema.parse({
  name: FIXTURE_DOMAIN,
  isara: {
    seed: 11,
    demos: 4,
    promptBudgetTokens: 300,
    promptSampling: { maxTokens: 12, temperature: 0.7, topP: 0.9, repetitionPenalty: 1.05 },
    answerSampling: { maxTokens: 10, temperature: 0.7, topP: 0.9, repetitionPenalty: 1.2 },
  },
});

const SEEDS = Array.from({ length: 8 }, (_, i) => ({
  prompt: `Seed question ${i + 1}: is the world in a box of ${i + 1} things?`,
  response: `It is not; ${i + 1} things are in the world and the world is not a box.`,
}));

/** Set 0 of `run`: the seeds with their deterministic ids. */
export function fixtureSeeds(run: string): Sample[] {
  return seedSamples(run, FIXTURE_DOMAIN, SEEDS);
}

/**
 * Writes the domain snapshot of `run` (`<run>/domain/`) as the controller does when the run starts:
 * `config` (default {@link FIXTURE_CONFIG}), the fixture seeds and one eval item.
 */
export async function writeFixtureSnapshot(
  artifacts: ArtifactStore,
  run: string,
  config: DomainConfig = FIXTURE_CONFIG,
): Promise<void> {
  const keys = runArtifacts(run);
  const line = (value: unknown) => `${JSON.stringify(value)}\n`;
  await artifacts.write(keys.domainConfig, `${JSON.stringify(config, null, 2)}\n`);
  await artifacts.write(keys.domainSeeds, SEEDS.map(line).join(""));
  await artifacts.write(
    keys.domainEval,
    line({ id: "e1", prompt: "Is the world a box?", correct: ["No, the world is not a box."] }),
  );
}

const ROUND = 1;
const isara = FIXTURE_CONFIG.isara;

/** Options of the work builders. */
export interface FixtureWorkOptions {
  readonly baseModel?: string;
  readonly adapter?: string;
  readonly correlationId?: string;
}

function common(run: string, slot: number, options: FixtureWorkOptions) {
  return {
    context: {
      run,
      domain: FIXTURE_DOMAIN,
      round: ROUND,
      correlationId: options.correlationId ?? `req-${run}`,
    },
    idempotencyKey: sampleId(run, ROUND, slot),
    slot,
    quotas: [isara.demos],
    model: {
      baseModel: options.baseModel ?? "tiny",
      ...(options.adapter ? { adapter: options.adapter } : {}),
    },
  };
}

/** The PromptWork of `slot` of round 1, with the seeds the controller derives from the run seed. */
export function fixturePromptWork(run: string, slot: number, options: FixtureWorkOptions = {}): PromptWork {
  return {
    ...common(run, slot, options),
    demoSeed: deriveSeed(isara.seed, "prompt-demos", ROUND, slot),
    samplingSeed: deriveSeed(isara.seed, "prompt-sampling", ROUND, slot),
    sampling: undefined,
    promptBudgetTokens: 0,
  };
}

/** The AnswerWork of `slot` of round 1 for `prompt`, written from `promptDemos`. */
export function fixtureAnswerWork(
  run: string,
  slot: number,
  prompt: string,
  promptDemos: readonly DemoRef[],
  options: FixtureWorkOptions = {},
): AnswerWork {
  return {
    ...common(run, slot, options),
    prompt,
    promptDemos: [...promptDemos],
    samplingSeed: deriveSeed(isara.seed, "answer-sampling", ROUND, slot),
    sampling: undefined,
    promptBudgetTokens: 0,
  };
}
