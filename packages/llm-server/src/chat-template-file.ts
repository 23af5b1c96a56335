import { IsaraError } from "@isara/core";
import { readGgufFileInfo } from "node-llama-cpp";
import type { ChatTemplate } from "./chat-formatter.js";
import { errorText } from "./error-text.js";

/**
 * Reads a GGUF model's chat template with the texts of its beginning- and end-of-text tokens, so the
 * chat endpoint formats conversations exactly as the model was trained to read them. Returns
 * `undefined` for a model without a template (a base model): such a server still answers
 * `/v1/completions`, and its chat endpoint says why it cannot answer.
 *
 * Whether the model adds its beginning-of-text token itself follows llama.cpp: the file's
 * `tokenizer.ggml.add_bos_token`, else true for SentencePiece (`llama`) vocabularies only.
 * A file that cannot be read as GGUF is `invalid_argument`.
 */
export async function readChatTemplate(modelPath: string): Promise<ChatTemplate | undefined> {
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
  try {
    info = await readGgufFileInfo(modelPath, {
      sourceType: "filesystem",
      readTensorInfo: false,
      logWarnings: false,
    });
  } catch (err) {
    throw new IsaraError(
      "invalid_argument",
      `cannot read the chat template of ${modelPath} (${errorText(err)}); give a GGUF model file`,
      undefined,
      { cause: err },
    );
  }
  const tokenizer = info.metadata.tokenizer;
  const template = tokenizer?.chat_template;
  if (template === undefined || template.trim() === "") return undefined;
  const ggml = tokenizer?.ggml;
  const tokenText = (id: number | undefined): string | undefined =>
    id === undefined ? undefined : ggml?.tokens?.[id];
  const bosToken = tokenText(ggml?.bos_token_id);
  const eosToken = tokenText(ggml?.eos_token_id);
  return {
    template,
    ...(bosToken === undefined ? {} : { bosToken }),
    ...(eosToken === undefined ? {} : { eosToken }),
    addsBos: ggml?.add_bos_token ?? ggml?.model === "llama",
  };
}
