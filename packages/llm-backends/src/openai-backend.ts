/**
 * The OpenAI-compatible HTTP backend (vLLM, llama.cpp server, TGI, Ollama): the base model is the
 * name the server serves it under (`LLM_MODEL`), and `ModelRef.adapter` (the controller's adapter
 * key) is the name the server serves the adapter under, sent verbatim as the request's `model`
 * (vLLM: `--lora-modules NAME=PATH` or `POST /v1/load_lora_adapter`). Register each round's adapter
 * under the very key the controller sends (its artifact key), so both backends read one key.
 */
import type { Llm } from "@isara/core";
import type { Logger } from "@isara/kit";
import { envUrl } from "@isara/kit";
import { z } from "zod";
import { defineLlmBackend, LLM_MODEL_ID_ENV, type LlmBackend } from "./backend-definition.js";
import { estimatingTokenizer } from "./estimating-tokenizer.js";
import { createOpenAiLlm, type RetryEvent } from "./openai/index.js";

/** Settings of the OpenAI-compatible HTTP backend. */
export interface OpenAiBackendConfig {
  readonly backend: "openai";
  /** Server root, e.g. `http://vllm:8000`. */
  readonly baseUrl: string;
  /** Served name of the base model. */
  readonly model: string;
  /** Name in lineage (default `model`). */
  readonly modelId: string | undefined;
  readonly apiKey: string | undefined;
  readonly parallelism: number;
  /** Per HTTP attempt. */
  readonly timeoutMs: number;
}

/**
 * The OpenAI-compatible backend over an HTTP `Llm`: it serves the base model under its served name
 * (`model`) or its lineage name (`llm.modelId`); an adapter reference is a served model name, passed
 * through unchanged. Tokens are estimated (see `estimatingTokenizer`).
 */
export function openAiBackend(llm: Llm, model: string): LlmBackend {
  const names = new Set([model, llm.modelId]);
  return {
    llm,
    tokenizer: estimatingTokenizer(),
    serves: (baseModel) => names.has(baseModel),
    adapterFor: (adapter) => adapter,
  };
}

/**
 * The HTTP client's `onRetry` option that logs each retried attempt as a warning naming `what`, or
 * nothing without a logger: a transient failure the client recovers from stays visible to operators.
 * Shared by the LLM backend and the judge (`judge-endpoint.ts`), so both warn alike.
 */
export function retryWarnings(
  logger: Logger | undefined,
  what: string,
): { onRetry?: (event: RetryEvent) => void } {
  if (logger === undefined) return {};
  return {
    onRetry: (event) =>
      logger.warn(
        { attempt: event.attempt, delayMs: event.delayMs, status: event.status, reason: event.reason },
        `${what} failed; the HTTP client retries it`,
      ),
  };
}

function createHttpLlm(config: OpenAiBackendConfig, logger: Logger | undefined): Llm {
  return createOpenAiLlm({
    baseUrl: config.baseUrl,
    model: config.model,
    parallelism: config.parallelism,
    timeoutMs: config.timeoutMs,
    ...(config.modelId === undefined ? {} : { modelId: config.modelId }),
    ...(config.apiKey === undefined ? {} : { apiKey: config.apiKey }),
    ...retryWarnings(logger, "LLM request"),
  });
}

/**
 * `LLM_BACKEND=openai`: requests get `timeoutMs` per HTTP attempt, with the client's own retries of
 * transient failures (each told to `options.logger` as one warning), so callers must not wrap them in
 * a second retry loop of their own.
 */
export const openAiBackendDefinition = defineLlmBackend({
  name: "openai",
  env: {
    ...LLM_MODEL_ID_ENV,
    // openai: root URL of the server, e.g. http://vllm:8000 (a trailing /v1 is accepted; required for openai).
    LLM_BASE_URL: envUrl({ protocols: ["http", "https"] }).optional(),
    // openai: the name the server serves the base model under (vLLM's --served-model-name; required for openai).
    LLM_MODEL: z.string().optional(),
    // openai: sent as "Authorization: Bearer <key>"; leave unset for servers without auth.
    LLM_API_KEY: z.string().optional(),
  },
  required: {
    LLM_BASE_URL: "the server's http(s) URL",
    LLM_MODEL: "the served model name",
  },
  config: (env): OpenAiBackendConfig => ({
    backend: "openai",
    baseUrl: env.LLM_BASE_URL,
    model: env.LLM_MODEL,
    modelId: env.LLM_MODEL_ID,
    apiKey: env.LLM_API_KEY,
    parallelism: env.LLM_PARALLEL,
    timeoutMs: env.LLM_TIMEOUT_MS,
  }),
  open: async (config, _artifacts, options) =>
    openAiBackend(createHttpLlm(config, options.logger), config.model),
});
