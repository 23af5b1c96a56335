import {
  createFilterChain,
  type DomainConfig,
  type Embedder,
  type FilterCandidate,
  type FilterRegistry,
  type FilterReport,
  IsaraError,
  PROMPT_TEMPLATE_VERSION,
  qualityFigures,
  type RoundQuality,
  runFilterChain,
  type Sample,
  type SampleJudge,
  sampleId,
  seedAnswerWords,
  sentenceEndShare,
  summarizeFilterResults,
  type VectorStore,
} from "../index.js";
import { roundVectors } from "./round-vectors.js";
import type { Candidate } from "./write-answers.js";

/** What one filter pass needs to know. */
export interface FilterStepInput {
  readonly run: string;
  readonly domain: string;
  readonly config: DomainConfig;
  readonly round: number;
  readonly candidates: readonly Candidate[];
  /** Every sample of the earlier sets (seeds included): duplicate checks and demo texts come from here. */
  readonly earlier: readonly Sample[];
  /** Model (and adapter) that wrote the candidates, recorded in lineage. */
  readonly generatorModel: string;
  /**
   * The filters `config`'s chain may name (default core's `FILTER_REGISTRY`). Only a caller with its
   * own filters passes one, and then also to `parseDomain`, which checked the chain.
   */
  readonly filterRegistry?: FilterRegistry;
}

/** The round's judged samples. */
export interface FilterStepResult {
  /** Samples that passed every filter: the round's set D_t. */
  readonly accepted: Sample[];
  /** Samples some filter rejected, each with every verdict and its reason. */
  readonly rejected: Sample[];
  readonly report: FilterReport;
  /** Sample-quality figures of the seeds, the candidates and the accepted set (docs/sample-quality.md). */
  readonly quality: RoundQuality;
}

/**
 * Ports the step uses: accepted samples are embedded and stored so later rounds retrieve them; a
 * judge, when one is configured, serves the `judge-score` filter.
 */
export interface FilterStepPorts {
  readonly embedder: Embedder;
  readonly store: VectorStore;
  readonly judge?: SampleJudge;
}

/**
 * Step 3 of a round: embeds every candidate's prompt and answer once (and the earlier sets' prompts),
 * judges every candidate with the run's filter chain (`config.filters`, or its `filterPreset`'s chain
 * with `config.filter`'s thresholds), turns each into a `Sample` whose lineage keeps all verdicts,
 * upserts the accepted ones (with their prompt embeddings) as set t, and measures the round's sample
 * quality (seeds, candidates, accepted) with the same embeddings.
 * Sample ids derive from (run, round, slot), so running the step again after a crash replaces the same
 * rows instead of adding new ones.
 */
export async function filterStep(
  input: FilterStepInput,
  ports: FilterStepPorts,
  signal?: AbortSignal,
): Promise<FilterStepResult> {
  const byId = new Map(input.earlier.map((s) => [s.id, s]));
  const embedded = await roundVectors(ports.embedder, input.candidates, input.earlier);
  const vectors = embedded.candidates;
  const filterCandidates = input.candidates.map((c, i) => ({
    vectors: vectors[i],
    ...c,
    promptDemos: c.promptDemos.map((ref) => {
      const demo = byId.get(ref.id);
      if (!demo) {
        throw new IsaraError(
          "failed_precondition",
          `slot ${c.slot} was written with demo ${ref.id}, which is not among the earlier sets; the run folder is inconsistent (were its sets edited by hand?); start the run again in a new folder`,
        );
      }
      return { id: demo.id, prompt: demo.prompt };
    }),
  })) satisfies FilterCandidate[];
  // The chain domain.json names (the quality preset by default), built by core's registry: the one
  // code path of both modes.
  const filters = createFilterChain(
    input.config,
    input.filterRegistry,
    ports.judge === undefined ? {} : { judge: ports.judge },
  );
  const results = await runFilterChain(filterCandidates, filters, { earlier: input.earlier }, { signal });
  const bySlot = new Map(input.candidates.map((c) => [c.slot, c]));
  const accepted: Sample[] = [];
  const rejected: Sample[] = [];
  for (const r of results) {
    const c = bySlot.get(r.candidate.slot);
    if (!c) continue;
    const sample: Sample = {
      id: sampleId(input.run, input.round, c.slot),
      run: input.run,
      domain: input.domain,
      round: input.round,
      setIndex: input.round,
      slot: c.slot,
      prompt: c.prompt,
      response: c.response,
      lineage: {
        promptDemos: c.promptDemos,
        answerDemos: c.answerDemos,
        promptTemplateVersion: PROMPT_TEMPLATE_VERSION,
        generatorModel: input.generatorModel,
        verdicts: r.verdicts,
      },
    };
    (r.accepted ? accepted : rejected).push(sample);
  }
  const vectorsBySlot = new Map(input.candidates.map((c, i) => [c.slot, vectors[i]]));
  const vectorsOf = (samples: readonly Sample[]) =>
    samples.map(
      (s) =>
        vectorsBySlot.get(s.slot) ?? {
          prompt: new Float32Array(0),
          answer: new Float32Array(0),
          nearestEarlier: null,
        },
    );
  if (accepted.length > 0) {
    await ports.store.upsert(
      accepted,
      vectorsOf(accepted).map((v) => v.prompt),
    );
  }
  const seeds = input.earlier.filter((s) => s.setIndex === 0);
  // Stored samples do not keep the writer's `truncated` flag; the accepted set's figures take it from
  // the candidates, as the `unfinished` filter saw it.
  const acceptedCandidates = accepted.map((s) => ({
    prompt: s.prompt,
    response: s.response,
    truncated: bySlot.get(s.slot)?.truncated,
  }));
  const style = {
    seedAnswerWords: seedAnswerWords(seeds),
    seedsEndSentences: sentenceEndShare(seeds.map((s) => s.response)),
  };
  const quality: RoundQuality = {
    seeds: qualityFigures(seeds, { ...style, vectors: embedded.seeds }),
    candidates: qualityFigures(input.candidates, { ...style, vectors }),
    accepted: qualityFigures(acceptedCandidates, { ...style, vectors: vectorsOf(accepted) }),
  };
  return { accepted, rejected, report: summarizeFilterResults(results), quality };
}
