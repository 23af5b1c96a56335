import type { ChatModel, ChatRequest } from "@isara/core";
import { OpenAiEndpoint } from "./openai-endpoint.js";
import { type OpenAiOptions, resolveOpenAiOptions } from "./openai-options.js";
import { checkChatRequest } from "./request-check.js";
import { chatResponseSchema, parseResponse } from "./response-schemas.js";

/** The route chat requests are posted to, below `baseUrl`. */
export const CHAT_COMPLETIONS_PATH = "/v1/chat/completions";

/** A `ChatModel` served over HTTP, with the resolved server root it talks to. */
export interface OpenAiChat extends ChatModel {
  /** Server root, without `/v1`. */
  readonly baseUrl: string;
}

/**
 * The `ChatModel` port over an OpenAI-compatible `/v1/chat/completions` endpoint: the judge of the
 * judge-based evaluators, served by vLLM, llama.cpp server, Ollama or OpenAI itself. Each request is
 * one POST with `model`, `messages`, `max_tokens`, `temperature` and `seed` (when given); the server
 * applies the model's chat template. Same options, timeouts, retries and error codes as
 * `createOpenAiLlm`. A `null` message content (some servers send it for an empty answer) reads
 * as empty text; any other malformed answer fails with `internal`.
 */
export function createOpenAiChat(options: OpenAiOptions): OpenAiChat {
  return new HttpChat(new OpenAiEndpoint(resolveOpenAiOptions(options)));
}

class HttpChat implements OpenAiChat {
  readonly modelId: string;
  readonly parallelism: number;
  readonly baseUrl: string;
  readonly #endpoint: OpenAiEndpoint;

  constructor(endpoint: OpenAiEndpoint) {
    this.#endpoint = endpoint;
    this.modelId = endpoint.config.modelId;
    this.parallelism = endpoint.config.parallelism;
    this.baseUrl = endpoint.config.baseUrl;
  }

  async chat(request: ChatRequest, signal?: AbortSignal): Promise<{ readonly text: string }> {
    checkChatRequest(request);
    const model = this.#endpoint.config.model;
    const body = {
      model,
      messages: request.messages.map(({ role, content }) => ({ role, content })),
      max_tokens: request.maxTokens,
      temperature: request.temperature,
      ...(request.seed === undefined ? {} : { seed: request.seed }),
    };
    const json = await this.#endpoint.post(CHAT_COMPLETIONS_PATH, body, model, "the chat request", signal);
    const url = `${this.baseUrl}${CHAT_COMPLETIONS_PATH}`;
    const parsed = parseResponse(chatResponseSchema, json, url, "an OpenAI chat completion");
    return { text: parsed.choices[0]?.message.content ?? "" };
  }

  close(): Promise<void> {
    return this.#endpoint.close();
  }
}
