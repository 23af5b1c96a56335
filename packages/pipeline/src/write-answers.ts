import {
  answerPrompt,
  type DemoRef,
  type DomainConfig,
  demoQuotas,
  deriveSeed,
  type Embedder,
  fitDemos,
  type Llm,
  pickedRefs,
  pickedSamples,
  selectNearestDemos,
  type Tokenizer,
  type VectorStore,
} from "@isara/core";
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
        const fitted = fitDemos(
          selection.picks,
          (kept) => answerPrompt(pickedSamples(kept), p.prompt),
          ports.tokenizer,
          isara.promptBudgetTokens,
          { dropFrom: selection.dropFrom },
        );
        const turn = await completeTurn(
          ports.llm,
          {
            sampling: isara.answerSampling,
            prompt: fitted.prompt,
            seed: deriveSeed(isara.seed, "answer-sampling", input.round, p.slot),
            adapter: input.adapter,
          },
          signal,
        );
        candidate = {
          slot: p.slot,
          prompt: p.prompt,
          response: turn.text,
          promptDemos: p.promptDemos,
          answerDemos: pickedRefs(fitted.kept),
          truncated: turn.truncated,
        };
      }
      await onDone?.(candidate);
      return candidate;
    },
    signal,
  );
}
