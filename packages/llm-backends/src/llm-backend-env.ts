/**
 * The LLM variables every LLM-using service reads, as one zod fragment: a service spreads
 * {@link LLM_BACKEND_ENV} into its own `z.object`, passes the object through
 * {@link withLlmBackendRules} (which variables each backend requires) and turns the parsed values
 * into an {@link LlmBackendConfig} with {@link llmBackendConfigFrom}. So every service spells the
 * variables, their defaults and their problems the same way, and `loadConfig` lists a missing
 * `LLM_BASE_URL` beside the service's own problems, all at once.
 */
import { IsaraError } from "@isara/core";
import { envInt, envUrl } from "@isara/kit";
import { z } from "zod";

/** The backends a service can run on. */
export const LLM_BACKENDS = ["llama", "openai"] as const;

/** One of {@link LLM_BACKENDS}. */
export type LlmBackendKind = (typeof LLM_BACKENDS)[number];

/** Default of `LLM_TIMEOUT_MS`: two minutes, because CPU servers are slow on long prompts. */
export const DEFAULT_LLM_TIMEOUT_MS = 120_000;

/** The environment variables of the LLM backend, to spread into a service's env schema. */
export const LLM_BACKEND_ENV = {
  // Which LLM writes completions: "llama" (llama.cpp in this process) or "openai" (an OpenAI-compatible server: vLLM, llama.cpp server, TGI, Ollama).
  LLM_BACKEND: z.enum(LLM_BACKENDS).default("llama"),
  // llama: the GGUF base model file this replica loads (required for llama).
  MODEL_PATH: z.string().optional(),
  // Name of the base model in lineage and in work messages (default: llama, the file name without ".gguf"; openai, LLM_MODEL).
  LLM_MODEL_ID: z.string().optional(),
  // openai: root URL of the server, e.g. http://vllm:8000 (a trailing /v1 is accepted; required for openai).
  LLM_BASE_URL: envUrl({ protocols: ["http", "https"] }).optional(),
  // openai: the name the server serves the base model under (vLLM's --served-model-name; required for openai).
  LLM_MODEL: z.string().optional(),
  // openai: sent as "Authorization: Bearer <key>"; leave unset for servers without auth.
  LLM_API_KEY: z.string().optional(),
  // Completions this replica keeps in flight: llama sequences in process, or concurrent HTTP requests.
  LLM_PARALLEL: envInt({ min: 1, max: 64 }).default(2),
  // Longest one completion may take, in milliseconds (openai: per HTTP attempt; the client retries transient failures).
  LLM_TIMEOUT_MS: envInt({ min: 1, max: 3_600_000 }).default(DEFAULT_LLM_TIMEOUT_MS),
} as const;

/** The parsed values of {@link LLM_BACKEND_ENV}. */
export type LlmBackendEnv = z.output<z.ZodObject<typeof LLM_BACKEND_ENV>>;

/** A value as the rules see it: the parse so far, possibly with raw or missing fields. */
type Seen = Readonly<Record<string, unknown>>;

/** Unset (or empty) only: a value that is set but malformed is its own schema's problem, reported once. */
function missing(value: unknown): boolean {
  return value === undefined || value === "";
}

/**
 * `schema` with the rules that join the variables: llama (the default) needs `MODEL_PATH`, openai
 * needs `LLM_BASE_URL` and `LLM_MODEL`. The rules run even when other variables are wrong, so one
 * start lists every problem. An unknown `LLM_BACKEND` is reported by the enum and, as for the default
 * backend, a missing `MODEL_PATH`.
 */
export function withLlmBackendRules<S extends z.ZodType<LlmBackendEnv>>(schema: S): S {
  const always = { when: () => true };
  const backendOf = (v: unknown): unknown => (v as Seen).LLM_BACKEND;
  return schema
    .refine((v) => backendOf(v) === "openai" || !missing((v as Seen).MODEL_PATH), {
      ...always,
      path: ["MODEL_PATH"],
      message: 'is not set (expected the GGUF model file; required when LLM_BACKEND is "llama")',
    })
    .refine((v) => backendOf(v) !== "openai" || !missing((v as Seen).LLM_BASE_URL), {
      ...always,
      path: ["LLM_BASE_URL"],
      message: 'is not set (expected the server\'s http(s) URL; required when LLM_BACKEND is "openai")',
    })
    .refine((v) => backendOf(v) !== "openai" || !missing((v as Seen).LLM_MODEL), {
      ...always,
      path: ["LLM_MODEL"],
      message: 'is not set (expected the served model name; required when LLM_BACKEND is "openai")',
    });
}

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

/** Settings of the LLM backend; a union, so another backend adds a member, not optional fields. */
export type LlmBackendConfig = LlamaBackendConfig | OpenAiBackendConfig;

/**
 * The typed backend settings of values that passed {@link withLlmBackendRules}.
 * @throws IsaraError `invalid_argument` when a required variable is missing, i.e. the schema was
 *   built without the rules; the message names the variable.
 */
export function llmBackendConfigFrom(env: LlmBackendEnv): LlmBackendConfig {
  const need = (name: string, value: string | undefined): string => {
    if (value === undefined || value.trim() === "") {
      throw new IsaraError("invalid_argument", `${name} is not set; LLM_BACKEND=${env.LLM_BACKEND} needs it`);
    }
    return value;
  };
  switch (env.LLM_BACKEND) {
    case "llama":
      return {
        backend: "llama",
        modelPath: need("MODEL_PATH", env.MODEL_PATH),
        modelId: env.LLM_MODEL_ID,
        parallelism: env.LLM_PARALLEL,
        timeoutMs: env.LLM_TIMEOUT_MS,
      };
    case "openai":
      return {
        backend: "openai",
        baseUrl: need("LLM_BASE_URL", env.LLM_BASE_URL),
        model: need("LLM_MODEL", env.LLM_MODEL),
        modelId: env.LLM_MODEL_ID,
        apiKey: env.LLM_API_KEY,
        parallelism: env.LLM_PARALLEL,
        timeoutMs: env.LLM_TIMEOUT_MS,
      };
  }
}
