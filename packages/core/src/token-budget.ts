/**
 * Fitting in-context demos into a token budget. A base model has a small context window and the
 * prompt must leave room for the tokens it writes, so demos that overflow are dropped (as in the
 * ISARA authors' code: a budget of about 2000 tokens, demos dropped from the end). The open ending,
 * the new question or the empty `USER:` turn, is part of every rendering and always stays.
 */
import { IsaraError } from "./errors.js";
import type { Tokenizer } from "./ports.js";

/** Which end of the demo list holds the least valuable demos, i.e. the end that is dropped first. */
export type DropFrom = "start" | "end";

/** Options of {@link fitDemos}. */
export interface FitOptions {
  /** Drop from the end (default, the authors' behaviour) or from the start of `demos`. */
  readonly dropFrom?: DropFrom;
}

/** What {@link fitDemos} kept, what it dropped, and the prompt that resulted. */
export interface FittedPrompt<D> {
  /** The rendered prompt with the kept demos. */
  readonly prompt: string;
  /** Tokens of `prompt` according to the tokenizer. */
  readonly tokens: number;
  /** Demos in the prompt, in their original order. */
  readonly kept: readonly D[];
  /** Demos left out, in their original order; record them so a reader knows the prompt was cut. */
  readonly dropped: readonly D[];
  /**
   * `false` when even the prompt without any demo exceeds the budget (a very long question). The
   * prompt is still returned, without demos, because the question must stay; the caller decides
   * whether to send it (the model's context may be larger than the budget) or to skip the slot.
   */
  readonly withinBudget: boolean;
}

/**
 * Keeps as many demos as fit: the longest run of `demos` that still starts (or, with
 * `dropFrom: "start"`, ends) where the list does and whose `render`ing stays within `budgetTokens`.
 * Demos are never reordered and the kept ones stay contiguous, so the drop order is exactly the list
 * order reversed: put demos in priority order (or say which end is least valuable) and the budget
 * removes the least valuable first.
 *
 * `render` builds the whole prompt from a subset of demos (e.g. `kept => answerPrompt(kept, q)`), so
 * separators and the open ending are counted exactly as they will be sent.
 */
export function fitDemos<D>(
  demos: readonly D[],
  render: (kept: readonly D[]) => string,
  tokenizer: Tokenizer,
  budgetTokens: number,
  options: FitOptions = {},
): FittedPrompt<D> {
  if (!Number.isSafeInteger(budgetTokens) || budgetTokens < 1) {
    throw new IsaraError(
      "invalid_argument",
      `token budget must be a positive integer, got ${budgetTokens}; set isara.promptBudgetTokens (default 2000)`,
    );
  }
  const fromStart = options.dropFrom === "start";
  const split = (count: number): { kept: D[]; dropped: D[] } =>
    fromStart
      ? { kept: demos.slice(demos.length - count), dropped: demos.slice(0, demos.length - count) }
      : { kept: demos.slice(0, count), dropped: demos.slice(count) };

  const attempt = (count: number): FittedPrompt<D> => {
    const { kept, dropped } = split(count);
    const prompt = render(kept);
    const tokens = tokenizer.countTokens(prompt);
    return { prompt, tokens, kept, dropped, withinBudget: tokens <= budgetTokens };
  };
  // Most prompts fit whole, so try the full list first and shrink one demo at a time.
  for (let count = demos.length; count > 0; count--) {
    const fitted = attempt(count);
    if (fitted.withinBudget) return fitted;
  }
  return attempt(0);
}
