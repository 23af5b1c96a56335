import { type ChatModel, IsaraError, type SampleJudge } from "@isara/core";
import { askJudge } from "./ask-judge.js";
import { rubricRef, type SingleAnswerRubric, truncateNote } from "./rubric.js";
import { QUALITY_RUBRIC } from "./rubrics.js";

/** Options of {@link createSampleJudge}. */
export interface SampleJudgeOptions {
  /** The judge model behind an OpenAI-compatible endpoint. */
  readonly chat: ChatModel;
  /** A rating rubric; default the quality rubric (1–10: helpful, truthful, harmless). */
  readonly rubric?: SingleAnswerRubric;
  /** Longest reason kept in a verdict, in characters. Default 200. */
  readonly reasonChars?: number;
}

/** The judge's reason: the text after its "Reason:" (or the whole reply), without the rating line. */
function reasonOf(text: string, field: string): string {
  const body = text.replace(new RegExp(`\\n?\\s*${field}\\s*:.*$`, "is"), "").trim();
  return body.replace(/^reason\s*:\s*/i, "") || "(no reason given)";
}

/**
 * Core's `SampleJudge` port on a judge model: asks the rubric about one training sample, the same way
 * the eval scorer asks about an eval answer (`askJudge`), for the `judge-score` filter. An unreadable
 * reply is a `null` rating with the parser's reason, never a guessed number.
 */
export function createSampleJudge(options: SampleJudgeOptions): SampleJudge {
  const { chat } = options;
  const rubric = options.rubric ?? QUALITY_RUBRIC;
  if (rubric.output.kind !== "rating") {
    throw new IsaraError(
      "invalid_argument",
      `rubric ${rubricRef(rubric)} gives a choice, not a rating; the judge-score filter needs a rating rubric such as ${rubricRef(QUALITY_RUBRIC)}`,
    );
  }
  const { field, min, max } = rubric.output;
  const reasonChars = options.reasonChars ?? 200;
  return {
    ref: `${chat.modelId} with ${rubricRef(rubric)}`,
    min,
    max,
    parallelism: chat.parallelism,
    async rate(prompt, answer, signal) {
      const { text, verdict } = await askJudge(chat, rubric, prompt, answer, signal);
      return verdict.ok
        ? { rating: verdict.value, reason: truncateNote(reasonOf(text, field), reasonChars) }
        : { rating: null, reason: truncateNote(`${verdict.reason}; reply: ${text}`, reasonChars) };
    },
  };
}
