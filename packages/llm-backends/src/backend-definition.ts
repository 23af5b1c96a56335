/**
 * What the backend registry knows about one LLM backend: the `LLM_BACKEND` value that picks it, the
 * environment variables it reads, which of them it cannot run without, how its typed settings are made
 * from the parsed variables, and how it is loaded. A backend file exports one
 * {@link LlmBackendDefinition} (made with {@link defineLlmBackend}), so a backend is one file, its
 * test and one line in `backend-registry.ts`; the shared fragment (`LLM_BACKEND_ENV`), its rules,
 * the `LlmBackendConfig` union and `createLlmBackend` are all derived from the registry.
 *
 * The variables every backend reads are here too, because both the backend files and the fragment
 * built from the registry need them, and the fragment's module imports the registry.
 */
import type { ArtifactStore, Llm, Tokenizer } from "@isara/core";
import { envInt, type Logger } from "@isara/kit";
import { z } from "zod";

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

/** Options of `createLlmBackend`. */
export interface CreateLlmBackendOptions {
  /** Told about HTTP retries (openai), one warning each. */
  readonly logger?: Logger;
}

/** Default of `LLM_TIMEOUT_MS`: two minutes, because CPU servers are slow on long prompts. */
export const DEFAULT_LLM_TIMEOUT_MS = 120_000;

/**
 * The lineage name of the base model, as a fragment a backend spreads into its own variables when it
 * lets the name be set (each backend has its own default). One schema for every backend that reads
 * it, so the shared fragment holds it once, where the first registered backend lists it.
 */
export const LLM_MODEL_ID_ENV = {
  // Name of the base model in lineage and in work messages (default: llama, the file name without ".gguf"; openai, LLM_MODEL).
  LLM_MODEL_ID: z.string().optional(),
} as const;

/**
 * The variables every backend honours, whatever it is: they come last in the shared fragment, and a
 * service sizes its own work by `LLM_PARALLEL`, so no backend declares them itself.
 */
export const LLM_COMMON_ENV = {
  // Completions this replica keeps in flight: llama sequences in process, or concurrent HTTP requests.
  LLM_PARALLEL: envInt({ min: 1, max: 64 }).default(2),
  // Longest one completion may take, in milliseconds (openai: per HTTP attempt; the client retries transient failures).
  LLM_TIMEOUT_MS: envInt({ min: 1, max: 3_600_000 }).default(DEFAULT_LLM_TIMEOUT_MS),
} as const;

/**
 * What a backend's `config` is given: the parsed values of its own variables, with every required one
 * already checked to be set (so typed `string`), plus the common ones.
 */
export type LlmBackendValues<E extends z.ZodRawShape, R extends string> = Readonly<
  Omit<z.output<z.ZodObject<E>>, R> & { readonly [K in R]: string } & z.output<
      z.ZodObject<typeof LLM_COMMON_ENV>
    >
>;

/** One registered LLM backend. `C` is its settings, a member of the `LlmBackendConfig` union. */
export interface LlmBackendDefinition<
  N extends string = string,
  E extends z.ZodRawShape = z.ZodRawShape,
  R extends string = string,
  C extends { readonly backend: N } = { readonly backend: N },
> {
  /**
   * The value of `LLM_BACKEND` that picks it and the `backend` of its settings; lowercase, unique in
   * the registry, because the settings union is told apart by it.
   */
  readonly name: N;
  /**
   * Its own variables, each with a one-line comment, spread into the shared fragment after
   * `LLM_BACKEND` in registry order (so `loadConfig` lists problems in a stable order). A variable
   * another backend also reads must be the very same schema (e.g. {@link LLM_MODEL_ID_ENV}).
   */
  readonly env: E;
  /**
   * The variables it cannot run without, in the order they are reported, each with what is expected
   * (`"the GGUF model file"`): the rule says `is not set (expected <that>; required when LLM_BACKEND
   * is "<name>")`, so an operator learns what to set and why from the message alone.
   */
  readonly required: { readonly [K in R]: string };
  /** Its typed settings from values that passed the rules (the required ones are set). */
  config(env: LlmBackendValues<E, R>): C;
  /**
   * Loads it: the `Llm`, its tokenizer, and what it means by a base model name and an adapter
   * reference. What `createLlmBackend` does once it has found the backend by `config.backend`.
   */
  open(config: C, artifacts: ArtifactStore, options: CreateLlmBackendOptions): Promise<LlmBackend>;
}

/**
 * Types a backend's `config` and `open` by its variables and returns the definition unchanged, so a
 * backend file states each part once and the registry keeps the precise types the settings union and
 * the shared fragment are derived from.
 */
export function defineLlmBackend<
  const N extends string,
  const E extends z.ZodRawShape,
  const R extends keyof E & string,
  C extends { readonly backend: N },
>(definition: LlmBackendDefinition<N, E, R, C>): LlmBackendDefinition<N, E, R, C> {
  return definition;
}
