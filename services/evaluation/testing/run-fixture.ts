/**
 * Test support: a small but valid run snapshot (domain config, 8 seeds, 3 eval questions) written to
 * an artifact store under the distributed layout, and the EvalWork that evaluates it. Not exported.
 */
import { type DemoSelection, type EvalWork, roundWorkKey, runArtifacts, toJsonl } from "@isara/contracts";
import type { ArtifactStore } from "@isara/core";

/** Domain name of the fixture runs. */
export const FIXTURE_DOMAIN = "tiny-truth";

/** Eval questions of the fixture. */
export const FIXTURE_EVAL = [
  {
    id: "q1",
    prompt: "Is the world flat?",
    correct: ["No, the world is round."],
    incorrect: ["Yes, it is flat."],
  },
  { id: "q2", prompt: "What is a model?", correct: ["A simplified description."], incorrect: [] },
  {
    id: "q3",
    prompt: "Who answers a question?",
    correct: ["The one who was asked."],
    incorrect: ["Nobody."],
  },
];

const SEEDS = Array.from({ length: 8 }, (_, i) => ({
  prompt: `Seed question number ${i + 1} about the world?`,
  response: `Seed answer number ${i + 1}: that is the world.`,
}));

/** Writes the snapshot of `run` (8-token greedy answers keep the tiny model's work small). */
export async function writeFixtureRun(artifacts: ArtifactStore, run: string): Promise<void> {
  const keys = runArtifacts(run);
  const config = {
    name: FIXTURE_DOMAIN,
    isara: { seed: 7, answerSampling: { maxTokens: 8, temperature: 0, topP: 1, repetitionPenalty: 1 } },
  };
  await artifacts.write(keys.domainConfig, JSON.stringify(config));
  await artifacts.write(keys.domainSeeds, toJsonl(SEEDS));
  await artifacts.write(keys.domainEval, toJsonl(FIXTURE_EVAL));
}

/** Options of {@link fixtureWork}. */
export interface FixtureWorkOptions {
  readonly round?: number;
  readonly baseModel?: string;
  readonly adapter?: string;
  readonly icl?: { readonly selection: DemoSelection; readonly demos: number };
  readonly correlationId?: string;
}

/** A valid EvalWork for `run` of the fixture domain: zero-shot on round 1 unless told otherwise. */
export function fixtureWork(run: string, options: FixtureWorkOptions = {}): EvalWork {
  const round = options.round ?? 1;
  return {
    context: { run, domain: FIXTURE_DOMAIN, round, correlationId: options.correlationId ?? `req-${run}` },
    idempotencyKey: roundWorkKey(run, round, "evaluate"),
    model: {
      baseModel: options.baseModel ?? "tiny",
      ...(options.adapter ? { adapter: options.adapter } : {}),
    },
    evaluation: {
      kind: options.icl
        ? { $case: "inContext", value: { ...options.icl } }
        : { $case: "zeroShot", value: {} },
    },
    resultsKey: runArtifacts(run).evalResults(round),
  };
}
