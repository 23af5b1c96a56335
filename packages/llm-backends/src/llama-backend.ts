/**
 * The llama.cpp backend: the base model is a GGUF file loaded into this process (`MODEL_PATH`), and
 * `ModelRef.adapter` (the controller's adapter key) is a GGUF LoRA file, given as an artifact key on
 * the shared volume (e.g. `<run>/round-1/train/adapter.gguf`, resolved under ARTIFACT_ROOT) or as an
 * absolute path; it is loaded into this process on first use. The default backend: an unset or
 * unknown `LLM_BACKEND` is checked against its rules.
 */
import { basename, isAbsolute, resolve } from "node:path";
import type { ArtifactStore, Llm, Tokenizer } from "@isara/core";
import { createLlamaLlm } from "@isara/llm-llama";
import { z } from "zod";
import { defineLlmBackend, LLM_MODEL_ID_ENV, type LlmBackend } from "./backend-definition.js";
import { withDeadline } from "./deadline-llm.js";

/** Settings of the in-process llama.cpp backend. */
export interface LlamaBackendConfig {
  readonly backend: "llama";
  readonly modelPath: string;
  readonly modelId: string | undefined;
  readonly parallelism: number;
  /**
   * CPU threads for evaluation in all (default: llm-llama's, one per parallel completion, at most one
   * per CPU). No variable sets it: a service replica gets the default; the CLI's `--threads` sets it.
   */
  readonly threads?: number | undefined;
  /**
   * Longest one completion may take, in milliseconds; `undefined` sets no deadline. Services always
   * set one (`LLM_TIMEOUT_MS`), so a stuck completion becomes retryable work; the embedded CLI sets
   * none, because its run is watched by the person who started it and a slow CPU is not a failure.
   */
  readonly timeoutMs: number | undefined;
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
 * `LLM_BACKEND=llama`: loads `MODEL_PATH` with llm-llama; completions get the `timeoutMs` deadline
 * (`withDeadline`; none when it is `undefined`), while the tokenizer is the model itself.
 */
export const llamaBackendDefinition = defineLlmBackend({
  name: "llama",
  env: {
    // llama: the GGUF base model file this replica loads (required for llama).
    MODEL_PATH: z.string().optional(),
    ...LLM_MODEL_ID_ENV,
  },
  required: { MODEL_PATH: "the GGUF model file" },
  config: (env): LlamaBackendConfig => ({
    backend: "llama",
    modelPath: env.MODEL_PATH,
    modelId: env.LLM_MODEL_ID,
    parallelism: env.LLM_PARALLEL,
    timeoutMs: env.LLM_TIMEOUT_MS,
  }),
  open: async (config, artifacts) => {
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
  },
});
