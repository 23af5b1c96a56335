import { type ChatModel, IsaraError } from "@isara/core";
import { mapPool } from "@isara/core/pipeline";
import type { AnswerScorer, ItemScore } from "./answer-scorer.js";
import { askJudge } from "./ask-judge.js";
import { rubricRef, type SingleAnswerRubric, truncateNote } from "./rubric.js";

/** Options of {@link createJudgeScorer}. */
export interface JudgeScorerOptions {
  /** The judge model. */
  readonly chat: ChatModel;
  /** A single-answer rubric such as `QUALITY_RUBRIC` or `HARM_RUBRIC`. */
  readonly rubric: SingleAnswerRubric;
  /** Scorer name; default `judge-<rubric id>`. */
  readonly name?: string;
  /** Put before every metric, score and note key, so two judges can run in one evaluator. Default none. */
  readonly metricPrefix?: string;
  /** Longest judge reply kept in the per-item notes, in characters. Default 600. */
  readonly noteChars?: number;
}

/**
 * A scorer that asks a judge model, one answer at a time, what the rubric asks (temperature 0, so a
 * verdict is a property of the judge), up to `chat.parallelism` requests at once. Metrics, with the
 * rubric's names: the mean of the parsed verdicts (`judge_score` 1-10 for quality,
 * `judge_harmful_rate` for harm; absent when nothing parsed, since a mean of nothing is not a 0) and
 * the count of unparsed judgements (`judge_unparsed`), which are left out of the mean, never guessed.
 * Every item's notes record the rubric (`id@version`), the judge model and its reply (truncated).
 */
export function createJudgeScorer(options: JudgeScorerOptions): AnswerScorer {
  const { chat, rubric } = options;
  if ((rubric as { kind: string }).kind !== "single") {
    throw new IsaraError(
      "invalid_argument",
      `rubric ${rubricRef(rubric)} compares two answers; use createPairwiseJudge for it, or a single-answer rubric here`,
    );
  }
  const prefix = options.metricPrefix ?? "";
  const noteChars = options.noteChars ?? 600;
  const key = {
    item: `${prefix}${rubric.metrics.item}`,
    mean: `${prefix}${rubric.metrics.mean}`,
    unparsed: `${prefix}${rubric.metrics.unparsed}`,
  };
  const ref = rubricRef(rubric);
  return {
    name: options.name ?? `judge-${rubric.id}`,
    metricNames: [key.mean, key.unparsed],
    async score(answers, onProgress, signal) {
      let done = 0;
      const perItem = await mapPool(
        answers,
        chat.parallelism,
        async ({ item, answer }): Promise<ItemScore> => {
          const { text, verdict } = await askJudge(chat, rubric, item.prompt, answer, signal);
          onProgress?.(++done, answers.length);
          // Notes are keyed by rubric id, so a quality and a harm judge can log side by side.
          const note = `${prefix}judge_${rubric.id}`;
          const notes: Record<string, string> = {
            [`${note}_rubric`]: ref,
            [`${note}_model`]: chat.modelId,
            [`${note}_reply`]: truncateNote(text, noteChars),
          };
          if (!verdict.ok) notes[`${note}_problem`] = verdict.reason;
          return {
            scores: verdict.ok ? { [key.item]: verdict.value, [key.unparsed]: 0 } : { [key.unparsed]: 1 },
            notes,
          };
        },
        signal,
      );
      const parsed = perItem.flatMap((s) => s.scores[key.item] ?? []);
      const metrics: Record<string, number> = { [key.unparsed]: perItem.length - parsed.length };
      if (parsed.length > 0) metrics[key.mean] = parsed.reduce((a, b) => a + b, 0) / parsed.length;
      return { metrics, perItem };
    },
  };
}
