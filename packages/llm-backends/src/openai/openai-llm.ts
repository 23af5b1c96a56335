import type {
  Completion,
  CompletionRequest,
  ContinuationLikelihood,
  LikelihoodRequest,
  LikelihoodScorer,
  Llm,
} from "@isara/core";
import { OpenAiEndpoint } from "./openai-endpoint.js";
import { scoreOverEcho } from "./openai-likelihood.js";
import { type OpenAiOptions, resolveOpenAiOptions } from "./openai-options.js";
import { checkCompletionRequest } from "./request-check.js";
import { completionResponseSchema, parseResponse } from "./response-schemas.js";

/** The route completions are posted to, below `baseUrl`. */
export const COMPLETIONS_PATH = "/v1/completions";

/**
 * An `Llm` served over HTTP, with the resolved server root it talks to. It can also score likelihoods
 * where the server returns prompt log-probabilities (vLLM; see openai-likelihood.ts); elsewhere
 * scoring fails with `failed_precondition` and evaluations go on without likelihood metrics.
 */
export interface OpenAiLlm extends Llm, LikelihoodScorer {
  /** Server root, without `/v1`. */
  readonly baseUrl: string;
}

/**
 * The `Llm` port over an OpenAI-compatible `/v1/completions` endpoint (vLLM, llama.cpp server, TGI,
 * Ollama): the distributed mode's generator, where the model runs on a GPU server.
 *
 * Each completion is one POST with `model`, `prompt`, `max_tokens`, `temperature`, `top_p`, `seed`,
 * `stop` (when given) and the repetition penalty as `repetition_penalty`, the name vLLM and TGI read
 * (llama.cpp's server reads `repeat_penalty`: see `repetitionPenaltyFields`). The penalty is left
 * out at 1, which means off, so servers that do not know the field are not bothered. LoRA: when a request
 * names an `adapter`, that name is sent as `model`, which is how vLLM serves LoRA adapters
 * (`--enable-lora --lora-modules NAME=PATH`); the adapter must be one the server serves, else the
 * server's 404 comes back as `not_found` saying so.
 *
 * Timeouts, retries and error codes: see `postJson` (http-request.ts). `tokens` is the server's
 * `usage.completion_tokens`, or an estimate of about 4 characters per token when it sends none;
 * `finishReason` is `length` when the server says so, `stop` otherwise. Nothing limits concurrency
 * here: `parallelism` only tells callers how many requests to keep in flight.
 */
export function createOpenAiLlm(options: OpenAiOptions): OpenAiLlm {
  return new HttpLlm(new OpenAiEndpoint(resolveOpenAiOptions(options)));
}

class HttpLlm implements OpenAiLlm {
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

  async complete(request: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
    checkCompletionRequest(request);
    const model = request.adapter ?? this.#endpoint.config.model;
    const penaltyFields =
      request.repetitionPenalty === 1 ? [] : this.#endpoint.config.repetitionPenaltyFields;
    const body = {
      model,
      prompt: request.prompt,
      max_tokens: request.maxTokens,
      temperature: request.temperature,
      top_p: request.topP,
      seed: request.seed,
      ...(request.stop !== undefined && request.stop.length > 0 ? { stop: [...request.stop] } : {}),
      ...Object.fromEntries(penaltyFields.map((field) => [field, request.repetitionPenalty])),
      // llama.cpp's server takes the penalty's window (-1 = the whole context); vLLM and TGI have none.
      ...(penaltyFields.includes("repeat_penalty") && request.repetitionWindow !== undefined
        ? { repeat_last_n: request.repetitionWindow === 0 ? -1 : request.repetitionWindow }
        : {}),
    };
    const json = await this.#endpoint.post(COMPLETIONS_PATH, body, model, "the completion", signal);
    const url = `${this.baseUrl}${COMPLETIONS_PATH}`;
    const parsed = parseResponse(completionResponseSchema, json, url, "an OpenAI completion");
    const [choice] = parsed.choices;
    const text = choice?.text ?? "";
    return {
      text,
      tokens: parsed.usage?.completion_tokens ?? estimateTokens(text),
      finishReason: choice?.finish_reason === "length" ? "length" : "stop",
    };
  }

  scoreContinuations(request: LikelihoodRequest, signal?: AbortSignal): Promise<ContinuationLikelihood[]> {
    return scoreOverEcho(this.#endpoint, COMPLETIONS_PATH, request, signal);
  }

  close(): Promise<void> {
    return this.#endpoint.close();
  }
}

/**
 * Tokens in `text` when the server does not count them: about 4 characters per token, the usual
 * rule of thumb for English with BPE tokenizers. Only lineage and throughput figures use it.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
