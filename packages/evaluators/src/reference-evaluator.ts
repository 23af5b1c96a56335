import {
  answerPrompt,
  type ConversationPair,
  type EvalItem,
  type EvalResult,
  type EvalSampleResult,
  type Evaluator,
  type Llm,
  type ModelRef,
  type Sampling,
  scoreTruthfulness,
  summarizeTruthfulness,
  type TruthfulnessScore,
} from "@isara/core";
import { completeTurn, mapPool } from "@isara/pipeline";

/** Gives the in-context demos shown before an eval question (ICL baselines); none for zero-shot. */
export type DemoProvider = (question: string, itemIndex: number) => Promise<readonly ConversationPair[]>;

/** Options of {@link createReferenceEvaluator}. */
export interface ReferenceEvaluatorOptions {
  readonly llm: Llm;
  /** Sampling for answers; evaluation forces temperature 0 so scores are reproducible. */
  readonly sampling: Sampling;
  /** Demos per question for in-context baselines; omit for zero-shot. */
  readonly demos?: DemoProvider;
}

/**
 * The reference metric of TruthfulQA's generation task with ROUGE-L: the model answers each eval
 * question (greedy, so the score is a property of the model, not of a sampling seed), and the answer's
 * best ROUGE-L to the correct references minus its best to the incorrect ones is its "diff"; accuracy
 * is the share of diffs above 0. Metrics: `rougeL_diff`, `rougeL_acc`, `rougeL_max_correct`,
 * `rougeL_max_incorrect`, `answer_words` (means over items), per item in `samples`.
 */
export function createReferenceEvaluator(options: ReferenceEvaluatorOptions): Evaluator {
  return {
    name: "reference-rougeL",
    async evaluate(model: ModelRef, items: readonly EvalItem[], onProgress, signal): Promise<EvalResult> {
      let done = 0;
      const scored: TruthfulnessScore[] = new Array(items.length);
      const samples = await mapPool(
        items,
        options.llm.parallelism,
        async (item, index): Promise<EvalSampleResult> => {
          const demos = options.demos ? await options.demos(item.prompt, index) : [];
          const { text: answer } = await completeTurn(
            options.llm,
            {
              sampling: { ...options.sampling, temperature: 0 },
              prompt: answerPrompt(demos, item.prompt),
              seed: 0,
              adapter: model.adapter,
            },
            signal,
          );
          const scores = scoreTruthfulness(answer, item);
          scored[index] = scores;
          onProgress?.(++done, items.length);
          return { id: item.id, prompt: item.prompt, answer, scores: { ...scores } };
        },
        signal,
      );
      const metrics = summarizeTruthfulness(scored);
      return { metrics: { ...metrics }, samples };
    },
  };
}
