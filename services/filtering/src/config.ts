/**
 * The filtering service's configuration: one zod schema over the environment, parsed once by
 * `main.ts` with the kit's `loadConfig` (every bad variable is listed at start, then the process
 * exits). Everything below is plain data; nothing reads `process.env` elsewhere.
 */
import {
  type StageServiceConfig,
  stageConcurrencyEnv,
  stageServiceConfigFrom,
  stageServiceEnv,
} from "@isara/kafka-kit";
import { type Env, envDuration, loadConfig } from "@isara/kit";
import {
  JUDGE_ENDPOINT_ENV,
  type JudgeEndpoint,
  judgeEndpointFrom,
  withJudgeRules,
} from "@isara/llm-backends/judge";
import { z } from "zod";

const HOST_PORT = /^[^\s:/]+:\d{1,5}$/;

// Shared with every stage (see @isara/kafka-kit's stageServiceEnv): KAFKA_BROKERS, KAFKA_CLIENT_ID, ARTIFACT_ROOT
// (candidates are read and accepted/rejected sets written there), HTTP_PORT, LOG_LEVEL, SHUTDOWN_TIMEOUT, DRAIN_TIMEOUT
// (how long a running filter pass may finish), RETRY_* (tries of a FilterWork that fails transiently: retrieval or store down).
const envSchema = withJudgeRules(
  z.object(
    stageServiceEnv(
      { clientId: "isara-filtering" },
      {
        // The retrieval service's gRPC address as host:port, e.g. "isara-retrieval:50051"; accepted samples are stored there.
        RETRIEVAL_ADDRESS: z.string().refine((v) => HOST_PORT.test(v.trim()), {
          message: 'is not host:port (expected e.g. "isara-retrieval:50051")',
        }),
        // Deadline of one retrieval call (Embed or Upsert of one batch); a slower answer is retried as deadline_exceeded.
        RETRIEVAL_TIMEOUT: envDuration().default(60_000),
        // The optional judge model of the judge-score filter: JUDGE_URL, JUDGE_MODEL, JUDGE_API_KEY, JUDGE_PARALLEL
        // (see @isara/llm-backends/judge, shared with the evaluation service; each is commented there). Set them
        // together with the controller's FILTER_JUDGE=true, or the controller refuses runs whose chain names it.
        ...JUDGE_ENDPOINT_ENV,
        // FilterWork handled at once, each from its own partition (one run's filter pass then holds up only its own
        // partition): 4. Every pass embeds its round's samples through retrieval; raise both together.
        STAGE_CONCURRENCY: stageConcurrencyEnv().default(4),
      },
    ),
  ),
);

/** The service's typed configuration. */
export interface FilteringConfig extends StageServiceConfig {
  /** Filter passes at once (STAGE_CONCURRENCY). */
  readonly concurrency: number;
  readonly retrieval: { readonly address: string; readonly timeoutMs: number };
  /**
   * The judge the `judge-score` filter asks; `undefined` without `JUDGE_URL`, and then a chain that
   * names `judge-score` fails its pass (the controller refuses such runs when FILTER_JUDGE is off).
   */
  readonly judge: JudgeEndpoint | undefined;
}

/**
 * Reads the configuration from `env` (default `process.env`).
 * @throws IsaraError `invalid_argument` listing every missing or malformed variable, one per line.
 */
export function loadFilteringConfig(env: Env = process.env): FilteringConfig {
  const e = loadConfig(envSchema, env);
  return {
    ...stageServiceConfigFrom(e),
    concurrency: e.STAGE_CONCURRENCY,
    retrieval: { address: e.RETRIEVAL_ADDRESS.trim(), timeoutMs: e.RETRIEVAL_TIMEOUT },
    judge: judgeEndpointFrom(e),
  };
}
