/**
 * Where sentences end. A turn a small model wrote often stops at the token limit mid-sentence ("…the
 * best way to"), and training on it teaches the model to stop mid-sentence too. These rules say when
 * a text ends a sentence and cut a text back to its last complete sentence; the turn writer, the
 * `unfinished` filter and the sample-quality figures all use them, so they agree on what "finished" is.
 */

/** A sentence terminator, then any closing quotes or brackets, then whitespace or the end of the text. */
const SENTENCE_END = /[.!?…](?:["'”’»)\]]*)(?=\s|$)/gu;

/** Whether `text` (trimmed) ends a sentence: its last character closes one (`.`, `!`, `?`, `…`, then quotes or brackets). */
export function endsSentence(text: string): boolean {
  return /[.!?…]["'”’»)\]]*$/u.test(text.trimEnd());
}

/**
 * Share of `answers` that end a sentence: a domain's style. TruthfulQA's seeds ("Nothing happens")
 * mostly do not, the misconceptions example's do. `null` for no answers.
 */
export function sentenceEndShare(answers: readonly string[]): number | null {
  return answers.length === 0 ? null : answers.filter(endsSentence).length / answers.length;
}

/**
 * Whether an answer stopped mid-sentence: the one rule of the `unfinished` filter and the
 * `unfinished` quality figure. An answer that ends a sentence is finished. One that does not is
 * unfinished when the token limit cut it (`truncated`), or when most seed answers end sentences
 * (`seedsEndSentences` ≥ 0.5, or unknown), where a bare ending is a cut the writer did not report.
 * Otherwise the model closed the turn itself in the seeds' own style, and it is finished.
 */
export function isUnfinished(
  answer: string,
  truncated: boolean | undefined,
  seedsEndSentences: number | null,
): boolean {
  if (endsSentence(answer)) return false;
  if (truncated === true) return true;
  return seedsEndSentences === null || seedsEndSentences >= 0.5;
}

/**
 * `text` up to and including its last sentence terminator (with closing quotes or brackets), or `""`
 * when it has none. "It is rock. The core is" → "It is rock." A terminator inside a number or an
 * abbreviation glued to the next word ("3.5", "e.g.x") is not a sentence end; "Dr. Smith" is one,
 * a known limit of a rule without a language model.
 */
export function trimToLastSentence(text: string): string {
  let end = -1;
  for (const m of text.matchAll(SENTENCE_END)) end = m.index + m[0].length;
  return end < 0 ? "" : text.slice(0, end).trimEnd();
}
