import type { Evaluator } from "@isara/core";
import { type AnswerSettings, createAnsweringEvaluator } from "./answering-evaluator.js";
import { createReferenceScorer } from "./reference-scorer.js";

/** Options of {@link createReferenceEvaluator}: how answers are written (model, sampling, demos). */
export type ReferenceEvaluatorOptions = AnswerSettings;

/**
 * The reference metric of TruthfulQA's generation task with ROUGE-L: the model answers each eval
 * question (greedy, so the score is a property of the model, not of a sampling seed), and the answer's
 * best ROUGE-L to the correct references minus its best to the incorrect ones is its "diff"; accuracy
 * is the share of diffs above 0. Metrics: `rougeL_diff`, `rougeL_acc`, `rougeL_max_correct`,
 * `rougeL_max_incorrect`, `answer_words` (means over items), `items`, plus any further keys core's
 * truthfulness scoring reports; per item in `samples`. Progress counts answers written, out of the
 * number of items (scoring is instant), as run progress bars expect.
 */
export function createReferenceEvaluator(options: ReferenceEvaluatorOptions): Evaluator {
  const inner = createAnsweringEvaluator({
    ...options,
    scorers: [createReferenceScorer()],
    name: "reference-rougeL",
  });
  return {
    name: inner.name,
    evaluate: (model, items, onProgress, signal) =>
      inner.evaluate(
        model,
        items,
        (done) => {
          if (done <= items.length) onProgress?.(done, items.length);
        },
        signal,
      ),
  };
}
