/**
 * Judge rubrics as data. A rubric is the whole instruction a judge model sees plus how its reply is
 * read, identified by `id@version`: the text under one version never changes, so a stored score can
 * always be traced to the exact words that produced it. Changing the words means a new version.
 */
import { IsaraError } from "@isara/core";
import type { ChoiceOutput, RatingOutput } from "./judgement-parser.js";

/** Fields every rubric has. */
interface RubricBase {
  /** Short stable name, e.g. `quality`. */
  readonly id: string;
  /** Bumped whenever the prompt or parsing changes. */
  readonly version: number;
  /** What the rubric measures, for people choosing one. */
  readonly description: string;
  /** System message of the judge conversation. */
  readonly system: string;
  /** User message with `{{placeholders}}` filled by {@link renderTemplate}. */
  readonly user: string;
  /** Most tokens the judge may write (reason plus verdict line). */
  readonly maxTokens: number;
}

/** A rubric that judges one answer (`{{prompt}}`, `{{answer}}`) and yields one number per answer. */
export interface SingleAnswerRubric extends RubricBase {
  readonly kind: "single";
  readonly output: RatingOutput | ChoiceOutput<number>;
  /** Metric keys: the per-answer value, its mean over parsed answers, and the count of unparsed ones. */
  readonly metrics: { readonly item: string; readonly mean: string; readonly unparsed: string };
}

/** Which side a pairwise judgement prefers, in the order the replies were shown. */
export type PairwiseWinner = "A" | "B" | "tie";

/** A rubric that compares two answers (`{{prompt}}`, `{{answer_a}}`, `{{answer_b}}`). */
export interface PairwiseRubric extends RubricBase {
  readonly kind: "pairwise";
  readonly output: ChoiceOutput<PairwiseWinner>;
}

/** Any judge rubric. */
export type JudgeRubric = SingleAnswerRubric | PairwiseRubric;

/** `id@version`, the reference recorded with every judged result. */
export function rubricRef(rubric: Pick<RubricBase, "id" | "version">): string {
  return `${rubric.id}@${rubric.version}`;
}

/**
 * Fills `{{name}}` placeholders in one pass, so text inside a value (an answer that itself contains
 * `{{answer_b}}`) is never substituted again. A placeholder without a value is a rubric bug and throws.
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new IsaraError(
        "invalid_argument",
        `rubric template uses {{${name}}} but only ${Object.keys(values).join(", ")} are provided`,
      );
    }
    return value;
  });
}

/** `text` cut to at most `max` characters (with an ellipsis), for notes that must stay readable in logs. */
export function truncateNote(text: string, max: number): string {
  const trimmed = text.trim();
  return trimmed.length <= max ? trimmed : `${trimmed.slice(0, Math.max(0, max - 1))}…`;
}
