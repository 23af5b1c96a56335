import { scoreTruthfulness, summarizeTruthfulness, type TruthfulnessScore } from "@isara/core";
import type { AnswerScorer, ItemScore } from "./answer-scorer.js";
import { throwIfCancelled } from "./cancellation.js";

/**
 * TruthfulQA's reference metric as a scorer: each answer against its item's correct and incorrect
 * references (core `scoreTruthfulness`), means over the set (core `summarizeTruthfulness`). Whatever
 * keys core reports (ROUGE-L today, more as core adds them) pass through unchanged, so the metric
 * names stay those of the core and of the stop rules that read them. Pure CPU; no model is called.
 * An empty answer list is refused by core: a mean of nothing would read as a real 0.
 */
export function createReferenceScorer(): AnswerScorer {
  return {
    name: "reference",
    async score(answers, onProgress, signal) {
      const scored: TruthfulnessScore[] = [];
      const perItem: ItemScore[] = [];
      for (const { item, answer } of answers) {
        throwIfCancelled(signal);
        const scores = scoreTruthfulness(answer, item);
        scored.push(scores);
        perItem.push({ scores: { ...scores } });
        onProgress?.(perItem.length, answers.length);
      }
      return { metrics: { ...summarizeTruthfulness(scored) }, perItem };
    },
  };
}
