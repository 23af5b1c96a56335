/**
 * The ISARA prompt template: no instructions, only a conversation wrapper around each demo, so the
 * base model infers the domain from the examples alone (the paper's "instruction-free" premise).
 *
 *   BEGINNING OF CONVERSATION: USER: {q} ASSISTANT: {a} END OF CONVERSATION
 *
 * Demos are joined by a blank line and the prompt ends open, either after `USER:` (the model writes a
 * new question) or after `USER: {q} ASSISTANT:` (the model writes the answer).
 */
import { IsaraError } from "./errors.js";

/** Version of the template below; recorded in every sample's lineage so old data stays interpretable. */
export const PROMPT_TEMPLATE_VERSION = "isara-conv-v1";

/** Opens one conversation. */
export const CONVERSATION_START = "BEGINNING OF CONVERSATION:";
/** Marks the user's turn. */
export const USER_TAG = "USER:";
/** Marks the assistant's turn. */
export const ASSISTANT_TAG = "ASSISTANT:";
/** Closes one conversation. */
export const CONVERSATION_END = "END OF CONVERSATION";
/** Separates demos: one blank line. */
export const DEMO_SEPARATOR = "\n\n";

/**
 * Strings at which an LLM adapter should stop generating (pass as `CompletionRequest.stop`): any of
 * them means the model has left the turn it was asked to write. They are exact, case-sensitive
 * substrings; {@link cutAtRoleKeyword} applies the same cut afterwards for backends that ignore `stop`.
 */
export const ROLE_STOP_STRINGS: readonly string[] = [
  USER_TAG,
  ASSISTANT_TAG,
  "BEGINNING OF CONVERSATION",
  CONVERSATION_END,
];

/** Anything with a prompt and a response: a seed pair, a stored sample. */
export interface ConversationPair {
  readonly prompt: string;
  readonly response: string;
}

function requireText(text: string, what: string): string {
  const trimmed = text.trim();
  if (trimmed.length === 0) {
    throw new IsaraError("invalid_argument", `${what} is empty; every demo and question needs some text`);
  }
  return trimmed;
}

/**
 * One demo in the wrapper. Prompt and response are trimmed so the wrapper always has exactly one
 * space around each tag, whatever whitespace the data carried; inner line breaks are kept.
 */
export function formatConversation(pair: ConversationPair, what = "demo"): string {
  const q = requireText(pair.prompt, `${what} prompt`);
  const a = requireText(pair.response, `${what} response`);
  return `${CONVERSATION_START} ${USER_TAG} ${q} ${ASSISTANT_TAG} ${a} ${CONVERSATION_END}`;
}

function demoBlock(demos: readonly ConversationPair[]): string {
  return demos.map((d, i) => formatConversation(d, `demo ${i}`) + DEMO_SEPARATOR).join("");
}

/** Demos followed by an open conversation, `… BEGINNING OF CONVERSATION: USER:`: the model writes a new prompt. */
export function questionPrompt(demos: readonly ConversationPair[]): string {
  return `${demoBlock(demos)}${CONVERSATION_START} ${USER_TAG}`;
}

/**
 * Demos followed by `… BEGINNING OF CONVERSATION: USER: {question} ASSISTANT:`: the model writes the
 * answer. With no demos this is the zero-shot prompt used for evaluation and the base-model baseline.
 */
export function answerPrompt(demos: readonly ConversationPair[], question: string): string {
  const q = requireText(question, "question");
  return `${demoBlock(demos)}${CONVERSATION_START} ${USER_TAG} ${q} ${ASSISTANT_TAG}`;
}

/**
 * A role keyword: `USER:` / `ASSISTANT:` (colon required, so "USER manual" is prose) or the
 * conversation markers with or without a colon, in any case the model writes them ("End OF
 * CONVERSATION", "end OF CONVERSATION" and "Assistant:"-like mixes all leak in a small model's
 * output). Ordinary prose is spared (see `isProse`): "Ask the user: …" and "The Assistant: a novel"
 * (a role word whose letters after the first are lowercase), and "The end of conversation was
 * abrupt" (a marker after an article). A marker in sentence case anywhere else is a leak: Gemma 3
 * 270M ends answers with "… End of conversation", which prose never says without an article. A
 * keyword glued to a letter or digit before it ("SUPERUSER:") is not a role keyword either.
 */
const ROLE_KEYWORD =
  /(?<![\p{L}\p{N}_])(?:USER:|ASSISTANT:|BEGINNING\s+OF\s+CONVERSATION|END\s+OF\s+CONVERSATION)/giu;

/**
 * Whether the keyword-shaped `match` found at `index` of `text` is ordinary prose: its letters after
 * the first are lowercase, and it is a role word ("the user: …") or a conversation marker that an
 * article or determiner introduces ("the end of conversation"). A bare sentence-case marker is not.
 */
function isProse(text: string, index: number, match: string): boolean {
  const tail = match.slice(1);
  if (tail !== tail.toLowerCase()) return false;
  if (/^(?:user|assistant)/i.test(match)) return true;
  return /(?:^|[^\p{L}])(?:the|this|that|a|an|its|their|our)\s+$/iu.test(text.slice(0, index));
}

/**
 * Position of the first role keyword in `text` (see {@link ROLE_KEYWORD} for the rules), or -1. The
 * one definition of a leak: the cut, the sample-quality figures and the `role-leak` filter use it.
 */
export function findRoleKeyword(text: string): number {
  for (const m of text.matchAll(ROLE_KEYWORD)) if (!isProse(text, m.index, m[0])) return m.index;
  return -1;
}

/** `text` with every role keyword replaced by a line break, for checks that must not count a leak twice. */
export function withoutRoleKeywords(text: string): string {
  return text.replace(ROLE_KEYWORD, (m, index: number) => (isProse(text, index, m) ? m : "\n"));
}

/** Shortest trailing keyword prefix treated as a cut-off keyword; shorter tails ("US", "END") are likely prose. */
const MIN_PARTIAL_KEYWORD = 4;

function trailingPartialKeyword(text: string): number {
  for (const keyword of ROLE_STOP_STRINGS) {
    for (let len = keyword.length - 1; len >= MIN_PARTIAL_KEYWORD; len--) {
      const start = text.length - len;
      const tail = text.slice(start);
      if (
        tail.toUpperCase() === keyword.slice(0, len) &&
        !isProse(text, start, tail) &&
        !/[\p{L}\p{N}_]/u.test(text.charAt(start - 1))
      ) {
        return start;
      }
    }
  }
  return -1;
}

/** Options of {@link cutAtRoleKeyword}. */
export interface CutOptions {
  /**
   * The generation hit its token limit (`finishReason === "length"`), so it may end in the middle of
   * a keyword ("… END OF CONVERS"). Then a trailing keyword prefix of at least 4 characters is cut too.
   */
  readonly truncated?: boolean;
}

/**
 * Generated text up to (not including) the first role keyword, trimmed. The model was asked for one
 * turn; whatever follows a role keyword is a new turn or conversation it invented, not part of the answer.
 */
export function cutAtRoleKeyword(text: string, options: CutOptions = {}): string {
  const at = findRoleKeyword(text);
  let kept = at >= 0 ? text.slice(0, at) : text;
  if (at < 0 && options.truncated) {
    const partial = trailingPartialKeyword(kept);
    if (partial >= 0) kept = kept.slice(0, partial);
  }
  return kept.trim();
}
