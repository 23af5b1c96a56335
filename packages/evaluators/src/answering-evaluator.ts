import {
  answerPrompt,
  type ConversationPair,
  canScoreLikelihood,
  type EvalItem,
  type EvalResult,
  type Evaluator,
  type Llm,
  type ModelRef,
} from "@isara/core";
import { completeTurn, mapPool, type TurnSampling } from "@isara/core/pipeline";
import type { AnsweredItem, AnswerScorer } from "./answer-scorer.js";
import { type LikelihoodScores, scoreLikelihoods } from "./likelihood-scoring.js";
import { checkScorers, type ScoredSample, scoreAnswers } from "./scorer-set.js";

/** Gives the in-context demos shown before an eval question (ICL baselines); none for zero-shot. */
export type DemoProvider = (question: string, itemIndex: number) => Promise<readonly ConversationPair[]>;

/** How eval answers are written: the model, its sampling, and optional in-context demos. */
export interface AnswerSettings {
  readonly llm: Llm;
  /**
   * Sampling for answers; evaluation forces temperature 0 (and seed 0) so answers are reproducible,
   * and keeps an answer the token limit cut off as written: it scores the model's own output.
   */
  readonly sampling: TurnSampling;
  /** Demos per question for in-context baselines; omit for zero-shot. */
  readonly demos?: DemoProvider;
}

/** Options of {@link createAnsweringEvaluator}. */
export interface AnsweringEvaluatorOptions extends AnswerSettings {
  /** Scorers run over the answers, in order; names and declared metrics must not collide. */
  readonly scorers: readonly AnswerScorer[];
  /** Evaluator name in logs and reports; default the scorer names joined by `+`. */
  readonly name?: string;
  /**
   * Also score the likelihood metrics (`mc2`, `likelihood_acc`, see `scoreLikelihoods`) when `llm`
   * can score log-probabilities (default true; an `Llm` that cannot is simply not asked).
   */
  readonly likelihood?: boolean;
}

/** An evaluation result whose samples also carry the scorers' notes (judge reasons, rubric, judge model). */
export interface AnsweringEvalResult extends EvalResult {
  readonly samples: readonly ScoredSample[];
}

/** An {@link Evaluator} that answers first and then scores; its samples keep the scorers' notes. */
export interface AnsweringEvaluator extends Evaluator {
  evaluate(
    model: ModelRef,
    items: readonly EvalItem[],
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<AnsweringEvalResult>;
}

/**
 * Has `model` answer every item greedily (temperature 0, seed 0: the answers are a property of the
 * model, not of a sampling seed), up to `llm.parallelism` at once, in item order. The answers can be
 * stored and scored later with any scorers.
 */
export async function answerEvalItems(
  settings: AnswerSettings,
  model: ModelRef,
  items: readonly EvalItem[],
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<AnsweredItem[]> {
  let done = 0;
  return mapPool(
    items,
    settings.llm.parallelism,
    async (item, index): Promise<AnsweredItem> => {
      const demos = settings.demos ? await settings.demos(item.prompt, index) : [];
      const { text } = await completeTurn(
        settings.llm,
        {
          sampling: { ...settings.sampling, temperature: 0, unfinished: "keep" },
          prompt: answerPrompt(demos, item.prompt),
          seed: 0,
          adapter: model.adapter,
        },
        signal,
      );
      onProgress?.(++done, items.length);
      return { item, answer: text };
    },
    signal,
  );
}

/**
 * An evaluator that answers each eval item (see {@link answerEvalItems}) and then runs every scorer
 * over the answers. Metrics of all scorers are merged, as are each sample's scores and notes; a key
 * two scorers both report is an error, and scorers that share a name or a declared metric are refused
 * here, before any model runs. Progress counts answers written plus answers scored by each scorer,
 * out of `items × (1 + scorers)`. When the model can score log-probabilities, the likelihood
 * metrics follow, with the same in-context demos as the answers (after the progress reached its
 * total: they take a fraction of answering's time).
 */
export function createAnsweringEvaluator(options: AnsweringEvaluatorOptions): AnsweringEvaluator {
  checkScorers(options.scorers);
  const scorers = [...options.scorers];
  return {
    name: options.name ?? scorers.map((s) => s.name).join("+"),
    async evaluate(model, items, onProgress, signal) {
      const total = items.length * (1 + scorers.length);
      // Each item's demos are drawn once: the likelihood metrics score the references after the
      // very prompt the answer was written from.
      const provider = options.demos;
      const demos =
        provider === undefined
          ? undefined
          : await mapPool(items, options.llm.parallelism, (item, i) => provider(item.prompt, i), signal);
      const answers = await answerEvalItems(
        demos === undefined ? options : { ...options, demos: async (_q, i) => demos[i] ?? [] },
        model,
        items,
        (done) => onProgress?.(done, total),
        signal,
      );
      const scored = await scoreAnswers(
        scorers,
        answers,
        (done) => onProgress?.(items.length + done, total),
        signal,
      );
      if (options.likelihood === false || !canScoreLikelihood(options.llm)) {
        return { metrics: scored.metrics, samples: scored.samples };
      }
      const likely = await scoreLikelihoods(
        options.llm,
        options.llm.parallelism,
        model,
        items,
        signal,
        demos,
      );
      return withLikelihood(scored, likely);
    },
  };
}

/**
 * The scorers' result with the likelihood metrics added: means in `metrics`, each item's values in
 * its sample's `scores` (so paired comparisons can resample them), or, when the backend could not
 * score, the reason in every sample's `notes.likelihood`.
 */
function withLikelihood(scored: AnsweringEvalResult, likely: LikelihoodScores): AnsweringEvalResult {
  const samples = scored.samples.map((sample, i) => {
    const item = likely.perItem[i];
    if (likely.unavailable !== undefined) {
      return { ...sample, notes: { ...sample.notes, likelihood: `not scored: ${likely.unavailable}` } };
    }
    return item === undefined ? sample : { ...sample, scores: { ...sample.scores, ...item } };
  });
  return { metrics: { ...scored.metrics, ...likely.metrics }, samples };
}
