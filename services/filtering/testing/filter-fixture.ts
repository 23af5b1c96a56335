/**
 * Test support: a small but valid run snapshot (domain config, 8 seeds, 2 eval questions) under the
 * distributed layout, a round of candidates chosen so each paper filter has something to reject, and
 * the FilterWork that asks to filter them. Not exported.
 */
import { type FilterWork, roundWorkKey, runArtifacts, TOPICS, toJsonl } from "@isara/contracts";
import {
  type ArtifactStore,
  type DemoRef,
  PROMPT_TEMPLATE_VERSION,
  type Sample,
  sampleId,
} from "@isara/core";
import type { StageJob } from "@isara/kafka-kit";
import { createRootLogger } from "@isara/kit";

/** Domain name of the fixture runs. */
export const FIXTURE_DOMAIN = "tiny-truth";

/** Model every fixture candidate was written by. */
export const FIXTURE_GENERATOR = "tiny-model";

const SEEDS = Array.from({ length: 8 }, (_, i) => ({
  prompt: `Seed question number ${i + 1} about the world?`,
  response: `Seed answer number ${i + 1}: that is how the world works.`,
}));

const EVAL = [
  { id: "q1", prompt: "Is the world flat?", correct: ["No, the world is round."], incorrect: [] },
  { id: "q2", prompt: "What is a model?", correct: ["A simplified description."], incorrect: [] },
];

const jsonl = (rows: readonly unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join("");

/** The fixture domain's three files as texts, with `config` as its domain.json (default: the paper's chain). */
export function fixtureDomainTexts(config: object = { name: FIXTURE_DOMAIN, filterPreset: "paper" }): {
  config: string;
  seeds: string;
  eval: string;
} {
  return { config: JSON.stringify(config), seeds: jsonl(SEEDS), eval: jsonl(EVAL) };
}

/**
 * Writes the domain snapshot of `run`, as the controller does when a run starts; `config` is its
 * domain.json (default: the fixture domain with the paper preset's chain).
 */
export async function writeFixtureRun(
  artifacts: ArtifactStore,
  run: string,
  config: object = { name: FIXTURE_DOMAIN, filterPreset: "paper" },
): Promise<void> {
  const keys = runArtifacts(run);
  const texts = fixtureDomainTexts(config);
  await artifacts.write(keys.domainConfig, texts.config);
  await artifacts.write(keys.domainSeeds, texts.seeds);
  await artifacts.write(keys.domainEval, texts.eval);
}

/** One candidate's text and what the paper chain must say about it. */
interface Slot {
  readonly prompt: string;
  readonly response: string;
  /** `undefined` = accepted; otherwise the filter that rejects it. */
  readonly rejectedBy?: string;
}

/** The fixture round: two keepers and one rejection per paper filter, in slot order. */
export const FIXTURE_SLOTS: readonly Slot[] = [
  {
    prompt: "How do people check a surprising claim before sharing it with friends?",
    response: "They look for two independent sources and read past the headline first.",
  },
  {
    prompt: "How do people check a surprising claim before sharing it with friends?",
    response: "They ask someone who knows the field well and compare what they hear.",
    rejectedBy: "exact-duplicate",
  },
  {
    prompt: "Why?",
    response: "Because the evidence points that way once you look closely.",
    rejectedBy: "min-words",
  },
  {
    prompt: "Is it true that the moon is made of rock and dust, yes or no?",
    response: "the moon is made of rock and dust",
    rejectedBy: "answer-in-prompt",
  },
  {
    prompt: "Seed question number 1 about the world today?",
    response: "Today the world works much as it did yesterday, with small changes.",
    rejectedBy: "rouge-l",
  },
  {
    prompt: "What should a person do when two reliable sources disagree?",
    response: "Read both carefully, note what each one measured, and hold the answer loosely.",
  },
];

function seedRef(run: string, i: number, score: number | null): DemoRef {
  return { id: sampleId(run, 0, i), setIndex: 0, score };
}

/** The fixture round's candidates of `run`, as the controller writes them (no verdicts yet). */
export function fixtureCandidates(run: string, round = 1, generator = FIXTURE_GENERATOR): Sample[] {
  return FIXTURE_SLOTS.map((s, slot) => ({
    id: sampleId(run, round, slot),
    run,
    domain: FIXTURE_DOMAIN,
    round,
    setIndex: round,
    slot,
    prompt: s.prompt,
    response: s.response,
    lineage: {
      promptDemos: [seedRef(run, 0, null), seedRef(run, 1, null)],
      answerDemos: [seedRef(run, 2, 0.5), seedRef(run, 3, 0.25)],
      promptTemplateVersion: PROMPT_TEMPLATE_VERSION,
      generatorModel: generator,
      verdicts: [],
    },
  }));
}

/** Writes `candidates` where FilterWork points for `run` round `round`. */
export async function writeCandidates(
  artifacts: ArtifactStore,
  run: string,
  candidates: readonly Sample[],
  round = 1,
): Promise<void> {
  await artifacts.write(runArtifacts(run).candidates(round), toJsonl(candidates));
}

/** Options of {@link fixtureFilterWork}. */
export interface FixtureFilterWorkOptions {
  readonly round?: number;
  readonly count?: number;
  readonly correlationId?: string;
}

/**
 * A valid FilterWork for `run` of the fixture domain: round 1 with the fixture's candidates. Like the
 * controller's, it carries no filter settings: the chain comes from the run's domain snapshot.
 */
export function fixtureFilterWork(run: string, options: FixtureFilterWorkOptions = {}): FilterWork {
  const round = options.round ?? 1;
  return {
    context: { run, domain: FIXTURE_DOMAIN, round, correlationId: options.correlationId ?? `req-${run}` },
    idempotencyKey: roundWorkKey(run, round, "filter"),
    candidatesKey: runArtifacts(run).candidates(round),
    candidateCount: options.count ?? FIXTURE_SLOTS.length,
    settings: undefined,
  };
}

/** A stage job of one filter work, as the stage consumer hands it to the handler (silent logger, first attempt). */
export function fixtureJob(): StageJob {
  return {
    signal: new AbortController().signal,
    logger: createRootLogger({ level: "silent", name: "filtering" }),
    attempt: 1,
    source: { topic: TOPICS.filterWork.name, partition: 0, offset: "0" },
  };
}
