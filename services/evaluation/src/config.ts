/**
 * The evaluation service's configuration: one zod schema over the environment, parsed once by
 * `main.ts` with the kit's `loadConfig` (every bad variable is listed at start, then the process
 * exits). Everything below is plain data; nothing reads `process.env` elsewhere.
 */
import {
  type StageServiceConfig,
  stageConcurrencyEnv,
  stageServiceConfigFrom,
  stageServiceEnv,
} from "@isara/kafka-kit";
import { type Env, loadConfig } from "@isara/kit";
import {
  LLM_BACKEND_ENV,
  type LlmBackendConfig,
  llmBackendConfigFrom,
  withLlmBackendRules,
} from "@isara/llm-backends";
import { withJudgeRules } from "@isara/llm-backends/judge";
import { z } from "zod";
import { JUDGE_ENV, type JudgeConfig, judgeConfigFrom } from "./judge-env.js";

// Shared with every stage (see @isara/kafka-kit's stageServiceEnv): KAFKA_BROKERS, KAFKA_CLIENT_ID, ARTIFACT_ROOT
// (run inputs, <run>/domain/..., are read and results written there), HTTP_PORT, LOG_LEVEL, SHUTDOWN_TIMEOUT,
// DRAIN_TIMEOUT (how long a running evaluation may finish), RETRY_* (tries of an EvalWork that fails transiently).
const envSchema = withJudgeRules(
  withLlmBackendRules(
    z.object(
      stageServiceEnv(
        { clientId: "isara-evaluation" },
        {
          // The LLM that answers the eval questions: LLM_BACKEND, MODEL_PATH, LLM_MODEL_ID, LLM_BASE_URL, LLM_MODEL,
          // LLM_API_KEY, LLM_PARALLEL, LLM_TIMEOUT_MS (see @isara/llm-backends; each is commented there).
          ...LLM_BACKEND_ENV,
          // The optional judge model that also scores every answer: JUDGE_URL, JUDGE_MODEL, JUDGE_API_KEY,
          // JUDGE_PARALLEL (see @isara/llm-backends/judge, shared with filtering), JUDGE_RUBRICS (judge-env.ts).
          ...JUDGE_ENV,
          // EvalWork handled at once, each from its own partition: 2, so one run's long evaluation does not hold up
          // every other run's. They share the LLM (LLM_PARALLEL completions at once in all).
          STAGE_CONCURRENCY: stageConcurrencyEnv().default(2),
        },
      ),
    ),
  ),
);

/** The service's typed configuration. */
export interface EvaluationConfig extends StageServiceConfig {
  /** Evaluations at once (STAGE_CONCURRENCY). */
  readonly concurrency: number;
  readonly llm: LlmBackendConfig;
  /** The judge that scores every answer beside the reference metric; none: reference metrics only. */
  readonly judge: JudgeConfig | undefined;
}

/**
 * Reads the configuration from `env` (default `process.env`).
 * @throws IsaraError `invalid_argument` listing every missing or malformed variable, one per line.
 */
export function loadEvaluationConfig(env: Env = process.env): EvaluationConfig {
  const e = loadConfig(envSchema, env);
  return {
    ...stageServiceConfigFrom(e),
    concurrency: e.STAGE_CONCURRENCY,
    llm: llmBackendConfigFrom(e),
    judge: judgeConfigFrom(e),
  };
}
