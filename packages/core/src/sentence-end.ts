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
