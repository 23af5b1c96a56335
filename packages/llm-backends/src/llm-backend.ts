/**
 * The LLM behind a service, and the questions only the backend can answer: does it serve the base
 * model a work message names, what does the message's adapter reference mean to it, and how does it
 * count tokens. Each backend answers them in its own file (`llama-backend.ts`, `openai-backend.ts`),
 * registered in `backend-registry.ts`; {@link createLlmBackend} loads the one a config names, so a new
 * backend is a new file and one registry line, nothing here changes.
 *
 * What `ModelRef.adapter` (the controller's adapter key) means per backend, in short (each backend's
 * file says it in full):
 * - llama: a GGUF LoRA file, given as an artifact key on the shared volume or as an absolute path.
 * - openai: the name the server serves the adapter under, sent verbatim as the request's `model`.
 */
import type { ArtifactStore } from "@isara/core";
import type { CreateLlmBackendOptions, LlmBackend } from "./backend-definition.js";
import { registeredLlmBackend } from "./backend-registry.js";
import type { LlmBackendConfig } from "./llm-backend-env.js";

/**
 * Loads the backend `config` describes, by the registered backend of its name. llama completions get
 * the `timeoutMs` deadline (`withDeadline`; none when it is `undefined`); openai requests get it per
 * HTTP attempt, with the client's own retries of transient failures (so callers must not wrap them in
 * a second retry loop of their own).
 * @throws IsaraError from the backend: for llama, `not_found` when the model file is missing and
 *   `invalid_argument` when it is not a loadable GGUF; for openai, `invalid_argument` for a bad URL.
 */
export async function createLlmBackend(
  config: LlmBackendConfig,
  artifacts: ArtifactStore,
  options: CreateLlmBackendOptions = {},
): Promise<LlmBackend> {
  return registeredLlmBackend(config.backend).open(config, artifacts, options);
}
