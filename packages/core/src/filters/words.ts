/**
 * Word counting and text normalisation shared by the filters and the truthfulness metric, in one
 * place so that "5 words" means the same everywhere.
 */

const WHITESPACE = /\s+/u;

/**
 * Number of words in `text`: whitespace-separated tokens (any Unicode whitespace), so punctuation
 * stays attached to its word ("Why?" is one word, "—" alone is one word) and CJK text without
 * spaces counts as one word per run. This is deliberately simpler than ROUGE tokenization: the
 * minimum-length filter is about how much the model wrote, not about what ROUGE can match.
 */
export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed === "" ? 0 : trimmed.split(WHITESPACE).length;
}

/**
 * `text` with surrounding whitespace removed and every inner whitespace run turned into one space.
 * Generated text often differs only by a trailing newline or a double space; such copies are the
 * same prompt for duplicate and containment checks. Case and punctuation are kept.
 */
export function normalizeWhitespace(text: string): string {
  return text.trim().split(WHITESPACE).join(" ");
}

/**
 * Identity of a prompt for exact-duplicate checks: the prompt with whitespace normalised (see
 * {@link normalizeWhitespace}). Two prompts with the same key are the same prompt.
 */
export function promptKey(prompt: string): string {
  return normalizeWhitespace(prompt);
}
