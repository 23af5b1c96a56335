/**
 * The scoring half of an evaluation. Answering (running the model) and scoring (judging what it
 * wrote) are separate so that stored answers can be re-scored later, by other scorers or by the same
 * scorers over many runs at once (`isara compare`), without running any model again.
 */
import type { EvalItem } from "@isara/core";

/** One eval item with the answer a model gave to it. */
export interface AnsweredItem {
  readonly item: EvalItem;
  readonly answer: string;
}

/** What a scorer says about one answer. */
export interface ItemScore {
  /** Numbers for this answer, e.g. `judge_score`; a key is absent when no score could be given. */
  readonly scores: Readonly<Record<string, number>>;
  /** Text kept for people reading per-sample logs, e.g. the judge's reason, rubric and model. */
  readonly notes?: Readonly<Record<string, string>>;
}

/** Aggregate metrics over a set of answers plus one {@link ItemScore} per answer, in input order. */
export interface ScorerResult {
  readonly metrics: Readonly<Record<string, number>>;
  readonly perItem: readonly ItemScore[];
}

/** Progress of a scorer: `done` of `total` answers scored. */
export type ScoreProgress = (done: number, total: number) => void;

/**
 * Scores a batch of answers. The batch matters: metrics such as means and rates are over the whole
 * set. A scorer never runs the model under evaluation; it may call a judge or a classifier.
 */
export interface AnswerScorer {
  /** Unique within one evaluator; identifies the scorer in errors and logs. */
  readonly name: string;
  /**
   * Metric keys this scorer reports, when known before scoring. Evaluators use them to refuse two
   * scorers that would overwrite each other's metrics before any expensive answering starts.
   */
  readonly metricNames?: readonly string[];
  score(
    answers: readonly AnsweredItem[],
    onProgress?: ScoreProgress,
    signal?: AbortSignal,
  ): Promise<ScorerResult>;
}
