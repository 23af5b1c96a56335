import { Template } from "@huggingface/jinja";
import type { ChatMessage } from "@isara/core";
import { IsaraError } from "@isara/core";
import { errorText } from "./error-text.js";

/**
 * Turns a chat conversation into the prompt text the model was trained on, ending where the
 * assistant's answer starts. The chat endpoint completes that text, so the model answers in its
 * own format (ChatML for SmolLM2: `<|im_start|>role\n...<|im_end|>\n` per message, then
 * `<|im_start|>assistant\n`).
 */
export type ChatFormatter = (messages: readonly ChatMessage[]) => string;

/** A model's chat template, as Hugging Face tokenizers (and GGUF files) carry it. */
export interface ChatTemplate {
  /** The Jinja source (`tokenizer.chat_template`). */
  readonly template: string;
  /** Text of the beginning-of-text token, for templates that write `{{ bos_token }}`. */
  readonly bosToken?: string;
  /** Text of the end-of-text token, for templates that write `{{ eos_token }}`. */
  readonly eosToken?: string;
  /**
   * The model adds its beginning-of-text token to every prompt itself; a leading one the template
   * wrote is then dropped, so the model does not see it twice.
   */
  readonly addsBos?: boolean;
}

/**
 * A {@link ChatFormatter} that renders the model's own Jinja chat template, the way Hugging Face
 * `apply_chat_template(messages, add_generation_prompt=True)` and vLLM do: with `messages`,
 * `add_generation_prompt`, `bos_token` and `eos_token`. Rendering the template itself, rather than
 * guessing a known format from it, keeps whatever the model's authors put there (SmolLM2 adds a
 * default system message when the conversation has none).
 *
 * A template that does not parse is `invalid_argument` here, at start; a conversation the template
 * refuses (its `raise_exception`, e.g. roles that do not alternate) is `invalid_argument` with the
 * template's own message and `param: "messages"`, so the HTTP caller sees what to change.
 */
export function createChatFormatter(chat: ChatTemplate): ChatFormatter {
  let template: Template;
  try {
    template = new Template(chat.template);
  } catch (err) {
    throw new IsaraError(
      "invalid_argument",
      `the chat template does not parse as Jinja (${errorText(err)}); use a model whose tokenizer.chat_template is valid`,
      undefined,
      { cause: err },
    );
  }
  const bos = chat.bosToken ?? "";
  return (messages) => {
    if (messages.length === 0) {
      throw new IsaraError("invalid_argument", "the conversation is empty; send at least one message", {
        param: "messages",
      });
    }
    let text: string;
    try {
      text = template.render({
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        add_generation_prompt: true,
        bos_token: bos,
        eos_token: chat.eosToken ?? "",
      });
    } catch (err) {
      throw new IsaraError(
        "invalid_argument",
        `the model's chat template refused this conversation: ${errorText(err)}`,
        { param: "messages" },
        { cause: err },
      );
    }
    return chat.addsBos === true && bos !== "" && text.startsWith(bos) ? text.slice(bos.length) : text;
  };
}
