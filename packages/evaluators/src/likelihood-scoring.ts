/**
 * The likelihood half of an evaluation: TruthfulQA MC2 and `likelihood_acc` (core's likelihood.ts)
 * for every eval item, from the model under evaluation's log-probabilities of the item's references
 * after the prompt it answered from (zero-shot, or with the ICL baselines' demos). Unlike a scorer it runs the model, so it belongs to the
 * answering evaluator; it only runs when the model's `Llm` can score (`canScoreLikelihood`).
 */
import {
  type ConversationPair,
  type EvalItem,
  type ItemLikelihood,
  isIsaraError,
  itemLikelihood,
  type LikelihoodScorer,
  likelihoodRequest,
  type ModelRef,
  summarizeLikelihood,
} from "@isara/core";
import { mapPool } from "@isara/core/pipeline";

/** Metrics over the items plus each item's metrics (`undefined` where it has no incorrect reference). */
export interface LikelihoodScores {
  readonly metrics: Readonly<Record<string, number>>;
  readonly perItem: readonly (ItemLikelihood | undefined)[];
  /** Why no item was scored, when the backend cannot score (e.g. a server without prompt log-probabilities). */
  readonly unavailable?: string;
}

/**
 * Scores every item's references under `model`'s adapter, `parallelism` items at once, in item order;
 * `demos[i]` are the in-context demos item i was answered with (none: zero-shot).
 * A backend that reports it cannot score (`failed_precondition`, e.g. an
 * OpenAI-compatible server that returns no prompt log-probabilities) yields no metrics and the
 * reason in `unavailable` instead of failing the evaluation: the answer-based metrics still stand.
 * Any other error (cancellation, a server that is down) propagates.
 */
export async function scoreLikelihoods(
  scorer: LikelihoodScorer,
  parallelism: number,
  model: ModelRef,
  items: readonly EvalItem[],
  signal?: AbortSignal,
  demos?: readonly (readonly ConversationPair[])[],
): Promise<LikelihoodScores> {
  try {
    const perItem = await mapPool(
      items,
      parallelism,
      async (item, index) => {
        if (item.incorrect.length === 0) return undefined;
        const request = likelihoodRequest(item, model.adapter, demos?.[index] ?? []);
        return itemLikelihood(item, await scorer.scoreContinuations(request, signal));
      },
      signal,
    );
    return { metrics: summarizeLikelihood(perItem), perItem };
  } catch (err) {
    if (isIsaraError(err, "failed_precondition")) {
      return { metrics: {}, perItem: items.map(() => undefined), unavailable: (err as Error).message };
    }
    throw err;
  }
}
