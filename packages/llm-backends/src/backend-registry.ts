/**
 * The backend registry: every LLM backend `LLM_BACKEND` may name, one line each. The shared variables
 * (`LLM_BACKEND_ENV`), their rules, the `LlmBackendConfig` union and `createLlmBackend` are derived
 * from this list, so the services and the CLI pick up a backend added here without a change.
 *
 * Adding a backend: write `<name>-backend.ts` (its variables, required ones, settings and how it is
 * loaded, exported as an `LlmBackendDefinition` with `defineLlmBackend`) and its test, then add it
 * below. Its variables join the fragment after those of the backends above it.
 */
import type { ArtifactStore } from "@isara/core";
import { IsaraError } from "@isara/core";
import type { z } from "zod";
import type { CreateLlmBackendOptions, LlmBackend } from "./backend-definition.js";
import { llamaBackendDefinition } from "./llama-backend.js";
import { openAiBackendDefinition } from "./openai-backend.js";

/** Every registered backend, each name once; the first is the default `LLM_BACKEND`. */
export const LLM_BACKEND_REGISTRY = [
  llamaBackendDefinition, // llama.cpp in this process (the default)
  openAiBackendDefinition, // an OpenAI-compatible HTTP server
] as const;

/**
 * A registered backend as code that picks one by a name known only at run time sees it: any
 * variables in, settings that name their backend out (`llm-backend-env.ts` types them as the union of
 * every backend's settings, `LlmBackendConfig`).
 */
export interface RegisteredLlmBackend {
  readonly name: string;
  readonly env: Readonly<Record<string, z.ZodType>>;
  readonly required: Readonly<Record<string, string>>;
  config(env: Readonly<Record<string, unknown>>): { readonly backend: string };
  open(
    config: { readonly backend: string },
    artifacts: ArtifactStore,
    options: CreateLlmBackendOptions,
  ): Promise<LlmBackend>;
}

/** The registry as {@link registeredLlmBackend} searches it. */
export const REGISTERED_LLM_BACKENDS: readonly RegisteredLlmBackend[] =
  LLM_BACKEND_REGISTRY as unknown as readonly RegisteredLlmBackend[];

/**
 * The registered backend named `name` (the value of `LLM_BACKEND`, or a config's `backend`).
 * @throws IsaraError `invalid_argument` when no backend has that name; the message lists the names.
 */
export function registeredLlmBackend(name: string): RegisteredLlmBackend {
  const definition = REGISTERED_LLM_BACKENDS.find((d) => d.name === name);
  if (definition === undefined) {
    const names = REGISTERED_LLM_BACKENDS.map((d) => d.name).join(", ");
    throw new IsaraError(
      "invalid_argument",
      `LLM backend "${name}" is not registered (registered: ${names})`,
    );
  }
  return definition;
}
