/**
 * The LLM behind a service, and the questions only the backend can answer: does it serve the base
 * model a work message names, what does the message's adapter reference mean to it, and how does it
 * count tokens. One factory per backend kind, picked by config in {@link createLlmBackend}; a new
 * backend is a new member of `LlmBackendConfig` and one more case here, nothing else changes.
 *
 * What `ModelRef.adapter` (the controller's adapter key) means per backend:
 * - llama: a GGUF LoRA file, given as an artifact key on the shared volume (e.g.
 *   `<run>/round-1/train/adapter.gguf`, resolved under ARTIFACT_ROOT) or as an absolute path; it is
 *   loaded into this process on first use.
 * - openai: the name the server serves the adapter under, sent verbatim as the request's `model`
 *   (vLLM: `--lora-modules NAME=PATH` or `POST /v1/load_lora_adapter`). Register each round's adapter
 *   under the very key the controller sends (its artifact key), so both backends read one key.
 */
import { basename, isAbsolute, resolve } from "node:path";
import type { ArtifactStore, Llm, Tokenizer } from "@isara/core";
import type { Logger } from "@isara/kit";
import { createLlamaLlm } from "@isara/llm-llama";
import { withDeadline } from "./deadline-llm.js";
import { estimatingTokenizer } from "./estimating-tokenizer.js";
import type { LlmBackendConfig, OpenAiBackendConfig } from "./llm-backend-env.js";
import { createOpenAiLlm } from "./openai/index.js";

/** A loaded LLM with what a service must know about how it names models and adapters. */
export interface LlmBackend {
  readonly llm: Llm;
  /** Counts tokens as the model does (exactly for llama, a safe over-estimate for HTTP servers). */
  readonly tokenizer: Tokenizer;
  /** `true` when `baseModel` (a work's `model.base_model`) is the model this backend runs. */
  serves(baseModel: string): boolean;
  /** The value of `CompletionRequest.adapter` for a work's adapter reference (see the module comment). */
  adapterFor(adapter: string): string;
}

/** What {@link llamaBackend} is built from. */
export interface LlamaBackendParts {
  /** The loaded model (possibly wrapped, e.g. by a test that counts requests). */
  readonly llm: Llm;
  /** Its tokenizer (the `LlamaLlm` itself). */
  readonly tokenizer: Tokenizer;
  /** The GGUF file it loaded. */
  readonly modelPath: string;
  /** Where adapter artifact keys are resolved. */
  readonly artifacts: ArtifactStore;
}

/**
 * The llama.cpp backend over an already loaded model file: it serves the base model named by its
 * model id (e.g. `SmolLM2-135M-Instruct-Q8_0`), its file name, or its path; an adapter is a GGUF LoRA
 * given as an absolute path or as an artifact key. Separate from loading so tests can wrap the `Llm`.
 */
export function llamaBackend(parts: LlamaBackendParts): LlmBackend {
  const path = resolve(parts.modelPath);
  const names = new Set([parts.llm.modelId, basename(path), path]);
  return {
    llm: parts.llm,
    tokenizer: parts.tokenizer,
    serves: (baseModel) => names.has(baseModel) || (isAbsolute(baseModel) && resolve(baseModel) === path),
    adapterFor: (adapter) => (isAbsolute(adapter) ? adapter : parts.artifacts.locate(adapter)),
  };
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

/** Options of {@link createLlmBackend}. */
export interface CreateLlmBackendOptions {
  /** Told about HTTP retries (openai), one warning each. */
  readonly logger?: Logger;
}

function createHttpLlm(config: OpenAiBackendConfig, logger: Logger | undefined): Llm {
  return createOpenAiLlm({
    baseUrl: config.baseUrl,
    model: config.model,
    parallelism: config.parallelism,
    timeoutMs: config.timeoutMs,
    ...(config.modelId === undefined ? {} : { modelId: config.modelId }),
    ...(config.apiKey === undefined ? {} : { apiKey: config.apiKey }),
    ...(logger === undefined
      ? {}
      : {
          onRetry: (event) =>
            logger.warn(
              { attempt: event.attempt, delayMs: event.delayMs, status: event.status, reason: event.reason },
              "LLM request failed; the HTTP client retries it",
            ),
        }),
  });
}

/**
 * Loads the backend `config` describes. llama completions get the `timeoutMs` deadline
 * (`withDeadline`; none when it is `undefined`); openai requests get it per HTTP attempt, with the
 * client's own retries of transient failures (so callers must not wrap them in a second retry loop
 * of their own).
 * @throws IsaraError from the backend: for llama, `not_found` when the model file is missing and
 *   `invalid_argument` when it is not a loadable GGUF; for openai, `invalid_argument` for a bad URL.
 */
export async function createLlmBackend(
  config: LlmBackendConfig,
  artifacts: ArtifactStore,
  options: CreateLlmBackendOptions = {},
): Promise<LlmBackend> {
  switch (config.backend) {
    case "llama": {
      const llm = await createLlamaLlm({
        modelPath: config.modelPath,
        parallelism: config.parallelism,
        ...(config.threads === undefined ? {} : { threads: config.threads }),
        ...(config.modelId === undefined ? {} : { modelId: config.modelId }),
      });
      return llamaBackend({
        llm: config.timeoutMs === undefined ? llm : withDeadline(llm, config.timeoutMs),
        tokenizer: llm,
        modelPath: config.modelPath,
        artifacts,
      });
    }
    case "openai":
      return openAiBackend(createHttpLlm(config, options.logger), config.model);
  }
}
