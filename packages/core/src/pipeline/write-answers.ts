import {
  answerPrompt,
  type ConversationPair,
  type DemoRef,
  type DemoSelection,
  type DomainConfig,
  demoQuotas,
  deriveSeed,
  type Embedder,
  fitDemos,
  type Llm,
  pickedRefs,
  pickedSamples,
  type Sampling,
  selectNearestDemos,
  slotSettings,
  type Tokenizer,
  type VectorStore,
} from "../index.js";
import { completeTurn } from "./complete-turn.js";
import { mapPool } from "./pool.js";
import type { WrittenPrompt } from "./write-prompts.js";

/** A prompt with the answer the model wrote for it: a candidate sample, not yet filtered. */
export interface Candidate {
  readonly slot: number;
  readonly prompt: string;
  readonly response: string;
  readonly promptDemos: readonly DemoRef[];
  readonly answerDemos: readonly DemoRef[];
  /** The model hit its token limit while answering. */
  readonly truncated: boolean;
}

/** What one answer-writing pass needs to know. */
export interface WriteAnswersInput {
  readonly run: string;
  readonly config: DomainConfig;
  readonly round: number;
  readonly prompts: readonly WrittenPrompt[];
  /** Size of each accepted set so far (index 0 = seeds), for the quotas. */
  readonly setSizes: readonly number[];
  readonly adapter?: string;
  /** The seeds, which size the answers' token limit (`isara.tokenLimits`); without them `maxTokens` holds. */
  readonly seeds?: readonly ConversationPair[];
}

/** Ports the step uses. */
export interface WriteAnswersPorts {
  readonly llm: Llm;
  readonly tokenizer: Tokenizer;
  readonly embedder: Embedder;
  readonly store: VectorStore;
}

/** Extra hits asked per set, so demos equal to the question or to each other can be skipped. */
const SEARCH_SLACK = 4;
/** Prompts embedded per batch: big enough to amortise the call, small enough to show progress. */
const EMBED_BATCH = 32;

/**
 * Step 2 of a round: the model answers each new prompt, shown the prompt's nearest neighbours (by
 * embedding) from each accepted set with the same per-set quotas; relevance is what lets a small model
 * answer in the domain's style without instructions. Prompts that came out empty get an empty answer
 * and are left to the filters, so every slot is accounted for.
 */
export async function writeAnswers(
  input: WriteAnswersInput,
  ports: WriteAnswersPorts,
  onDone?: (c: Candidate) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<Candidate[]> {
  const { isara } = input.config;
  const { sampling, budgetTokens } = slotSettings(
    input.config,
    "answer",
    input.seeds === undefined ? undefined : { seeds: input.seeds, tokenizer: ports.tokenizer },
  );
  const quotas = demoQuotas(input.round, isara.demos, input.setSizes);
  const vectors = new Map<number, Float32Array>();
  const answerable = input.prompts.filter((p) => p.prompt.length > 0);
  for (let i = 0; i < answerable.length; i += EMBED_BATCH) {
    const batch = answerable.slice(i, i + EMBED_BATCH);
    const embedded = await ports.embedder.embed(batch.map((p) => p.prompt));
    batch.forEach((p, j) => {
      const v = embedded[j];
      if (v) vectors.set(p.slot, v);
    });
  }
  return mapPool(
    input.prompts,
    ports.llm.parallelism,
    async (p) => {
      const vector = vectors.get(p.slot);
      let candidate: Candidate;
      if (!vector) {
        candidate = { ...p, response: "", answerDemos: [], truncated: false };
      } else {
        const resultsPerSet = await Promise.all(
          quotas.map((quota, setIndex) =>
            quota > 0
              ? ports.store.search(vector, quota + SEARCH_SLACK, { run: input.run, setIndex })
              : Promise.resolve([]),
          ),
        );
        const selection = selectNearestDemos(p.prompt, resultsPerSet, quotas);
        candidate = await writeAnswerForPrompt(
          {
            prompt: p,
            selection,
            sampling,
            seed: deriveSeed(isara.seed, "answer-sampling", input.round, p.slot),
            budgetTokens,
            adapter: input.adapter,
          },
          ports,
          signal,
        );
      }
      await onDone?.(candidate);
      return candidate;
    },
    signal,
  );
}

/** What answering one written prompt needs, once its demos are chosen. */
export interface AnswerSlotInput {
  /** The prompt to answer, with the demos it was written from (kept in the candidate's lineage). */
  readonly prompt: WrittenPrompt;
  /** The prompt's nearest demos (core's `selectNearestDemos`, or the retrieval service's `SelectDemos`). */
  readonly selection: DemoSelection;
  /** Sampling for writing answers (the domain's `answerSampling`). */
  readonly sampling: Sampling;
  /** Seed of the completion: `deriveSeed(isara.seed, "answer-sampling", round, slot)`. */
  readonly seed: number;
  /** Token budget of the demos; the selection's least similar demos are dropped first. */
  readonly budgetTokens: number;
  /** Adapter of the current model (none = base model). */
  readonly adapter?: string | undefined;
}

/**
 * The model answers one written prompt: the chosen demos are fitted into the token budget, rendered
 * before the open `USER: {prompt} ASSISTANT:` turn, and the answer is cut at the first role keyword.
 * The embedded `writeAnswers` and the distributed generation service both answer through this, so
 * the two modes write identical candidates from the same demos and seed.
 */
export async function writeAnswerForPrompt(
  input: AnswerSlotInput,
  ports: Pick<WriteAnswersPorts, "llm" | "tokenizer">,
  signal?: AbortSignal,
): Promise<Candidate> {
  const { prompt } = input;
  const fitted = fitDemos(
    input.selection.picks,
    (kept) => answerPrompt(pickedSamples(kept), prompt.prompt),
    ports.tokenizer,
    input.budgetTokens,
    { dropFrom: input.selection.dropFrom },
  );
  const turn = await completeTurn(
    ports.llm,
    { sampling: input.sampling, prompt: fitted.prompt, seed: input.seed, adapter: input.adapter },
    signal,
  );
  return {
    slot: prompt.slot,
    prompt: prompt.prompt,
    response: turn.text,
    promptDemos: prompt.promptDemos,
    answerDemos: pickedRefs(fitted.kept),
    truncated: turn.truncated,
  };
}
