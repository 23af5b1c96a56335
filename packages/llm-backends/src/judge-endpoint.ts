/**
 * The judge endpoint every judge-using service reads from its environment, as one zod fragment
 * (`@isara/llm-backends/judge`): where a judge model is served (any OpenAI-compatible chat server),
 * under which name, with which key and how many requests at once. The evaluation service scores
 * every answer with it (and adds its rubrics, `JUDGE_RUBRICS`); the filtering service gives it to the
 * `judge-score` filter. Both spell the variables, defaults and problems the same way because both
 * spread {@link JUDGE_ENDPOINT_ENV} and pass their schema through {@link withJudgeRules}.
 *
 * A subpath of its own, so a service that only needs the judge does not load the in-process llama.cpp
 * backend the package's root exports.
 */
import type { Logger } from "@isara/kit";
import { envInt, envUrl } from "@isara/kit";
import { z } from "zod";
import { createOpenAiChat, type OpenAiChat } from "./openai/index.js";
import { retryWarnings } from "./openai-backend.js";

/** The judge endpoint's environment variables, to spread into a service's env schema. */
export const JUDGE_ENDPOINT_ENV = {
  // Root URL of the judge's OpenAI-compatible chat server (vLLM, llama.cpp server, Ollama); unset: no judge.
  JUDGE_URL: envUrl({ protocols: ["http", "https"] }).optional(),
  // Name the judge server serves the judge model under (required when JUDGE_URL is set).
  JUDGE_MODEL: z.string().optional(),
  // Sent to the judge server as "Authorization: Bearer <key>"; leave unset for servers without auth.
  JUDGE_API_KEY: z.string().optional(),
  // Judge requests kept in flight at once (match the judge server's concurrent slots).
  JUDGE_PARALLEL: envInt({ min: 1, max: 64 }).default(2),
} as const;

/** The parsed values of {@link JUDGE_ENDPOINT_ENV}. */
export type JudgeEndpointEnv = z.output<z.ZodObject<typeof JUDGE_ENDPOINT_ENV>>;

type Seen = Readonly<Record<string, unknown>>;

function isSet(value: unknown): boolean {
  return value !== undefined && value !== "";
}

/**
 * `schema` with the rule that joins the judge variables: `JUDGE_URL` and `JUDGE_MODEL` come
 * together (a model without a URL means a judge was meant but would silently not run). The rule runs
 * even when other variables are wrong, so one start lists every problem.
 */
export function withJudgeRules<S extends z.ZodType<JudgeEndpointEnv>>(schema: S): S {
  const always = { when: () => true };
  return schema
    .refine((v) => !isSet((v as Seen).JUDGE_URL) || isSet((v as Seen).JUDGE_MODEL), {
      ...always,
      path: ["JUDGE_MODEL"],
      message: "is not set (expected the judge's served model name; required when JUDGE_URL is set)",
    })
    .refine((v) => isSet((v as Seen).JUDGE_URL) || !isSet((v as Seen).JUDGE_MODEL), {
      ...always,
      path: ["JUDGE_URL"],
      message:
        "is not set, but JUDGE_MODEL is (expected the judge server's http(s) URL; " +
        "unset JUDGE_MODEL to run without a judge)",
    });
}

/** Where the judge is served. */
export interface JudgeEndpoint {
  /** Server root, e.g. `http://vllm-judge:8000`. */
  readonly baseUrl: string;
  /** Served name of the judge model. */
  readonly model: string;
  readonly apiKey: string | undefined;
  /** Judge requests in flight at once. */
  readonly parallelism: number;
}

/** The judge endpoint of values that passed {@link withJudgeRules}; `undefined` when no judge is set. */
export function judgeEndpointFrom(env: JudgeEndpointEnv): JudgeEndpoint | undefined {
  if (env.JUDGE_URL === undefined || env.JUDGE_MODEL === undefined) return undefined;
  return {
    baseUrl: env.JUDGE_URL,
    model: env.JUDGE_MODEL,
    apiKey: env.JUDGE_API_KEY,
    parallelism: env.JUDGE_PARALLEL,
  };
}

/**
 * The judge's chat client over its OpenAI-compatible endpoint. Nothing connects until the first
 * request; transient HTTP failures are retried by the client and logged as warnings on `logger`, and
 * what still fails after its retries reaches the caller with its code (`unavailable` for a server
 * that is away, the server's reason for a refused request). Whoever opens it closes it.
 */
export function openJudgeChat(endpoint: JudgeEndpoint, logger?: Logger): OpenAiChat {
  return createOpenAiChat({
    baseUrl: endpoint.baseUrl,
    model: endpoint.model,
    parallelism: endpoint.parallelism,
    ...(endpoint.apiKey === undefined ? {} : { apiKey: endpoint.apiKey }),
    ...retryWarnings(logger, "judge request"),
  });
}
