/**
 * Token counts for a model that runs behind HTTP, where no tokenizer is at hand: the `Tokenizer` port
 * is synchronous (demos are fitted to the budget one by one) and OpenAI-compatible servers have no
 * standard tokenize route. The estimate errs on the high side, so the demos that fit the estimate fit
 * the server's context too; a prompt then keeps a demo or two less than an exact count would allow.
Scripts with about one token per character (Chinese, Japanese) are under-counted: serve those
domains with a lower `promptBudgetTokens`.
 */
import type { Tokenizer } from "@isara/core";

/** Characters per token assumed: BPE tokenizers average about 4 on English prose, less on code and digits. */
export const ESTIMATED_CHARS_PER_TOKEN = 3;

/** Counts `ceil(characters / 3)`: a deliberate over-estimate (see the module comment). */
export function estimatingTokenizer(): Tokenizer {
  return { countTokens: (text) => Math.ceil(text.length / ESTIMATED_CHARS_PER_TOKEN) };
}
