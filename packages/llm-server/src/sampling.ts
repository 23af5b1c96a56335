import type { CompletionRequest } from "@isara/core";
import { fieldError } from "./openai-error.js";
import type { SamplingBody } from "./request-schemas.js";

/** OpenAI's default temperature, so a client that leaves it out samples as it would from OpenAI. */
export const DEFAULT_TEMPERATURE = 1;
/** OpenAI's default nucleus: the whole distribution. */
export const DEFAULT_TOP_P = 1;
/** `/v1/completions` writes 16 tokens when `max_tokens` is left out, as OpenAI's legacy endpoint does. */
export const DEFAULT_COMPLETION_MAX_TOKENS = 16;

/** A request's sampling, resolved: everything a `CompletionRequest` needs except the prompt. */
export interface ResolvedSampling {
  readonly maxTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly repetitionPenalty: number;
  /** Seed of the first choice; choice `i` uses `seed + i`, so `n` choices differ but replay alike. */
  readonly seed: number;
  readonly stop: readonly string[] | undefined;
  readonly n: number;
}

/**
 * Refuses the OpenAI fields this server cannot honour, instead of ignoring them and returning
 * results the caller did not ask for: streaming, log-probabilities, echo and the OpenAI penalties
 * (vLLM's `repetition_penalty` is the one supported). Their "off" values pass, since many clients
 * always send them.
 */
export function refuseUnsupported(body: SamplingBody & { logprobs?: unknown; echo?: unknown }): void {
  if (body.stream === true) {
    throw fieldError("stream", "stream is not supported by this server; leave it out or set it to false");
  }
  for (const name of ["frequency_penalty", "presence_penalty"] as const) {
    const value = body[name];
    if (value !== undefined && value !== null && value !== 0) {
      throw fieldError(
        name,
        `${name} is not supported by this server; use repetition_penalty (1 = off) instead`,
      );
    }
  }
  if (body.logprobs !== undefined && body.logprobs !== null && body.logprobs !== false) {
    throw fieldError("logprobs", "logprobs is not supported by this server; leave it out");
  }
  if (body.echo === true) throw fieldError("echo", "echo is not supported by this server; leave it out");
}

/**
 * The sampling a request asks for, with OpenAI's defaults for what it leaves out. A missing seed is
 * drawn with `randomSeed` (a fresh one per request, as OpenAI does); a given seed makes sampled
 * answers reproducible. Temperature 0 is greedy.
 */
export function resolveSampling(
  body: SamplingBody,
  defaultMaxTokens: number,
  randomSeed: () => number,
  maxTokens: number | null | undefined = body.max_tokens,
): ResolvedSampling {
  const stop = body.stop ?? undefined;
  return {
    maxTokens: maxTokens ?? defaultMaxTokens,
    temperature: body.temperature ?? DEFAULT_TEMPERATURE,
    topP: body.top_p ?? DEFAULT_TOP_P,
    repetitionPenalty: body.repetition_penalty ?? 1,
    seed: body.seed ?? randomSeed(),
    stop: typeof stop === "string" ? [stop] : stop,
    n: body.n ?? 1,
  };
}

/** The `Llm` request for one choice: `prompt` with the resolved sampling and seed `seed + index`. */
export function completionRequest(
  prompt: string,
  sampling: ResolvedSampling,
  index: number,
  adapter: string | undefined,
): CompletionRequest {
  return {
    prompt,
    maxTokens: sampling.maxTokens,
    temperature: sampling.temperature,
    topP: sampling.topP,
    repetitionPenalty: sampling.repetitionPenalty,
    seed: sampling.seed + index,
    ...(sampling.stop === undefined ? {} : { stop: sampling.stop }),
    ...(adapter === undefined ? {} : { adapter }),
  };
}
