/**
 * The generation service's configuration: one zod schema over the environment, parsed once by
 * `main.ts` with the kit's `loadConfig` (every bad variable is listed at start, then the process
 * exits). The LLM variables are the shared fragment of `@isara/llm-backends`, so this service and the
 * evaluation service read them alike. Nothing reads `process.env` elsewhere.
 */
import { type StageServiceConfig, stageServiceConfigFrom, stageServiceEnv } from "@isara/kafka-kit";
import { type Env, envDuration, loadConfig } from "@isara/kit";
import {
  LLM_BACKEND_ENV,
  type LlmBackendConfig,
  llmBackendConfigFrom,
  withLlmBackendRules,
} from "@isara/llm-backends";
import { z } from "zod";

const HOST_PORT = /^[^\s:/]+:\d{1,5}$/;

// Shared with every stage (see @isara/kafka-kit's stageServiceEnv): KAFKA_BROKERS, KAFKA_CLIENT_ID, ARTIFACT_ROOT
// (per-slot result records go to <run>/round-<t>/{prompts,answers}/ there), HTTP_PORT, LOG_LEVEL, SHUTDOWN_TIMEOUT,
// DRAIN_TIMEOUT (how long the work in flight may finish), RETRY_* (tries of a work message that fails transiently:
// retrieval or store down, a timeout).
const envSchema = withLlmBackendRules(
  z.object(
    stageServiceEnv(
      { clientId: "isara-generation" },
      {
        // The retrieval service's gRPC address as host:port, e.g. "isara-retrieval:50051"; demos are chosen there.
        RETRIEVAL_ADDRESS: z.string().refine((v) => HOST_PORT.test(v.trim()), {
          message: 'is not host:port (expected e.g. "isara-retrieval:50051")',
        }),
        // Deadline of one SelectDemos call; a slower answer fails as deadline_exceeded and the work is retried.
        RETRIEVAL_TIMEOUT: envDuration().default(30_000),
        // The LLM that writes: LLM_BACKEND, MODEL_PATH, LLM_MODEL_ID, LLM_BASE_URL, LLM_MODEL, LLM_API_KEY,
        // LLM_PARALLEL (also the number of work messages handled at once), LLM_TIMEOUT_MS (see @isara/llm-backends).
        ...LLM_BACKEND_ENV,
      },
    ),
  ),
);

/** The service's typed configuration. */
export interface GenerationConfig extends StageServiceConfig {
  readonly retrieval: { readonly address: string; readonly timeoutMs: number };
  readonly llm: LlmBackendConfig;
}

/**
 * Reads the configuration from `env` (default `process.env`).
 * @throws IsaraError `invalid_argument` listing every missing or malformed variable, one per line.
 */
export function loadGenerationConfig(env: Env = process.env): GenerationConfig {
  const e = loadConfig(envSchema, env);
  return {
    ...stageServiceConfigFrom(e),
    retrieval: { address: e.RETRIEVAL_ADDRESS.trim(), timeoutMs: e.RETRIEVAL_TIMEOUT },
    llm: llmBackendConfigFrom(e),
  };
}
