/**
 * The LLM variables every LLM-using service reads, as one zod fragment: a service spreads
 * {@link LLM_BACKEND_ENV} into its own `z.object`, passes the object through
 * {@link withLlmBackendRules} (which variables each backend requires) and turns the parsed values
 * into an {@link LlmBackendConfig} with {@link llmBackendConfigFrom}. So every service spells the
 * variables, their defaults and their problems the same way, and `loadConfig` lists a missing
 * `LLM_BASE_URL` beside the service's own problems, all at once.
 *
 * All of it is derived from the backend registry (`backend-registry.ts`): each backend's file holds
 * its variables, its required ones and how its settings are made, so a new backend changes nothing
 * here.
 */
import { IsaraError } from "@isara/core";
import { z } from "zod";
import { LLM_COMMON_ENV } from "./backend-definition.js";
import { LLM_BACKEND_REGISTRY, REGISTERED_LLM_BACKENDS, registeredLlmBackend } from "./backend-registry.js";

type Registry = typeof LLM_BACKEND_REGISTRY;

/** The names of the registered backends, as a tuple type (so `z.enum` knows every one). */
type NamesOf<R extends readonly unknown[]> = {
  readonly [K in keyof R]: R[K] extends { readonly name: infer N } ? N : never;
};

/** The backends a service can run on: the registry's names, in its order. */
export const LLM_BACKENDS = LLM_BACKEND_REGISTRY.map((d) => d.name) as unknown as NamesOf<Registry>;

/** One of {@link LLM_BACKENDS}. */
export type LlmBackendKind = (typeof LLM_BACKENDS)[number];

/** The backend of an unset `LLM_BACKEND`: the registry's first. */
const DEFAULT_LLM_BACKEND = LLM_BACKEND_REGISTRY[0].name;

const LLM_BACKEND_VARIABLE = {
  // Which LLM writes completions: "llama" (llama.cpp in this process) or "openai" (an OpenAI-compatible server: vLLM, llama.cpp server, TGI, Ollama).
  LLM_BACKEND: z.enum(LLM_BACKENDS).default(DEFAULT_LLM_BACKEND),
} as const;

/** The variables of the registered backends, one intersection (a shared variable is one schema). */
type BackendEnvOf<R extends readonly unknown[]> = R extends readonly [infer H, ...infer T]
  ? (H extends { readonly env: infer E } ? E : never) & BackendEnvOf<T>
  : unknown;

type Flat<T> = { [K in keyof T]: T[K] };

/** The shape of {@link LLM_BACKEND_ENV}. */
type LlmBackendEnvShape = Flat<typeof LLM_BACKEND_VARIABLE & BackendEnvOf<Registry> & typeof LLM_COMMON_ENV>;

/**
 * `LLM_BACKEND`, then each backend's variables in registry order (a variable several backends read
 * stays where the first lists it), then the common ones. Refuses a registry where two backends give
 * one name, or one variable two schemas, or a backend redeclares a shared variable: the fragment
 * could then parse a variable differently from what a backend expects.
 * @throws IsaraError `internal` naming the backend and the variable.
 */
function sharedFragment(): Record<string, z.ZodType> {
  const fixed: Record<string, z.ZodType> = { ...LLM_BACKEND_VARIABLE, ...LLM_COMMON_ENV };
  const shape: Record<string, z.ZodType> = { ...LLM_BACKEND_VARIABLE };
  const names = new Set<string>();
  for (const definition of REGISTERED_LLM_BACKENDS) {
    if (names.has(definition.name)) {
      throw new IsaraError("internal", `LLM backend "${definition.name}" is registered twice`);
    }
    names.add(definition.name);
    for (const [variable, schema] of Object.entries(definition.env)) {
      const known = shape[variable];
      if (variable in fixed || (known !== undefined && known !== schema)) {
        throw new IsaraError(
          "internal",
          `LLM backend "${definition.name}" declares ${variable} anew; a variable the fragment already has must be the same schema (spread the shared fragment, e.g. LLM_MODEL_ID_ENV)`,
        );
      }
      shape[variable] = schema;
    }
  }
  return { ...shape, ...LLM_COMMON_ENV };
}

/** The environment variables of the LLM backend, to spread into a service's env schema. */
export const LLM_BACKEND_ENV = sharedFragment() as LlmBackendEnvShape;

/** The parsed values of {@link LLM_BACKEND_ENV}. */
export type LlmBackendEnv = z.output<z.ZodObject<typeof LLM_BACKEND_ENV>>;

/** A value as the rules see it: the parse so far, possibly with raw or missing fields. */
type Seen = Readonly<Record<string, unknown>>;

/** Unset (or empty) only: a value that is set but malformed is its own schema's problem, reported once. */
function missing(value: unknown): boolean {
  return value === undefined || value === "";
}

/**
 * Whether `backend` (a raw `LLM_BACKEND`) is checked against the rules of the backend named `name`:
 * its own name, or for the default backend any value that names no other backend (unset or unknown),
 * because an unknown backend is reported by the enum and checked as the default one would be.
 */
function rulesApply(name: string, backend: unknown): boolean {
  if (backend === name) return true;
  return name === DEFAULT_LLM_BACKEND && !REGISTERED_LLM_BACKENDS.some((d) => d.name === backend);
}

/**
 * `schema` with the rules that join the variables: each backend's required variables (llama, the
 * default, needs `MODEL_PATH`; openai needs `LLM_BASE_URL` and `LLM_MODEL`), in registry order. The
 * rules run even when other variables are wrong, so one start lists every problem. An unknown
 * `LLM_BACKEND` is reported by the enum and, as for the default backend, a missing `MODEL_PATH`.
 */
export function withLlmBackendRules<S extends z.ZodType<LlmBackendEnv>>(schema: S): S {
  const always = { when: () => true };
  const backendOf = (v: unknown): unknown => (v as Seen).LLM_BACKEND;
  let ruled = schema;
  for (const { name, required } of REGISTERED_LLM_BACKENDS) {
    for (const [variable, expected] of Object.entries(required)) {
      ruled = ruled.refine((v) => !rulesApply(name, backendOf(v)) || !missing((v as Seen)[variable]), {
        ...always,
        path: [variable],
        message: `is not set (expected ${expected}; required when LLM_BACKEND is "${name}")`,
      });
    }
  }
  return ruled;
}

/** The settings a registered backend makes (`LlamaBackendConfig`, `OpenAiBackendConfig`, ...). */
type ConfigOf<D> = D extends { config(env: never): infer C } ? C : never;

/** Settings of the LLM backend; a union, so another backend adds a member, not optional fields. */
export type LlmBackendConfig = ConfigOf<Registry[number]>;

/**
 * The typed backend settings of values that passed {@link withLlmBackendRules}.
 * @throws IsaraError `invalid_argument` when a required variable is missing, i.e. the schema was
 *   built without the rules; the message names the variable.
 */
export function llmBackendConfigFrom(env: LlmBackendEnv): LlmBackendConfig {
  const definition = registeredLlmBackend(env.LLM_BACKEND);
  for (const variable of Object.keys(definition.required)) {
    const value = (env as Seen)[variable];
    if (value === undefined || (typeof value === "string" && value.trim() === "")) {
      throw new IsaraError(
        "invalid_argument",
        `${variable} is not set; LLM_BACKEND=${env.LLM_BACKEND} needs it`,
      );
    }
  }
  return definition.config(env) as LlmBackendConfig;
}
