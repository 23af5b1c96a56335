/**
 * The LLM behind the evaluation, and the two questions only the backend can answer: does it serve the
 * base model a work names, and what does a work's adapter mean to it. One factory per backend kind,
 * picked by config in {@link createLlmBackend}; adding a backend (an OpenAI-compatible server) is a
 * new member of `LlmBackendConfig` and one more case here, nothing else in the service changes.
 */
import { basename, isAbsolute, resolve } from "node:path";
import type { ArtifactStore, Llm } from "@isara/core";
import { createLlamaLlm } from "@isara/llm-llama";
import type { LlmBackendConfig } from "./config.js";

/** A loaded LLM with what the service must know about how it names models and adapters. */
export interface LlmBackend {
  readonly llm: Llm;
  /** `true` when `baseModel` (EvalWork.model.base_model) is the model this backend runs. */
  serves(baseModel: string): boolean;
  /** The value of `CompletionRequest.adapter` for a work's adapter reference. */
  adapterFor(adapter: string): string;
}

/**
 * The llama.cpp backend over an already loaded model file: it serves the base model named by its
 * model id (e.g. `SmolLM2-135M-Instruct-Q8_0`), its file name, or its path; an adapter is a GGUF LoRA
 * given as an absolute path or as an artifact key (resolved on the shared volume, e.g.
 * `<run>/round-1/train/adapter.gguf`). Separate from loading so tests can wrap the `Llm`.
 */
export function llamaBackend(llm: Llm, modelPath: string, artifacts: ArtifactStore): LlmBackend {
  const path = resolve(modelPath);
  const names = new Set([llm.modelId, basename(path), path]);
  return {
    llm,
    serves: (baseModel) => names.has(baseModel) || (isAbsolute(baseModel) && resolve(baseModel) === path),
    adapterFor: (adapter) => (isAbsolute(adapter) ? adapter : artifacts.locate(adapter)),
  };
}

/**
 * Loads the backend `config` describes.
 * @throws IsaraError from the backend: for llama, `not_found` when the model file is missing and
 *   `invalid_argument` when it is not a loadable GGUF.
 */
export async function createLlmBackend(
  config: LlmBackendConfig,
  artifacts: ArtifactStore,
): Promise<LlmBackend> {
  switch (config.backend) {
    case "llama": {
      const llm = await createLlamaLlm({
        modelPath: config.modelPath,
        parallelism: config.parallelism,
        ...(config.modelId === undefined ? {} : { modelId: config.modelId }),
      });
      return llamaBackend(llm, config.modelPath, artifacts);
    }
  }
}
