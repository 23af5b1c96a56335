/**
 * Likelihood scoring over an OpenAI-compatible server: the legacy completions API asked to echo the
 * prompt with its per-token log-probabilities and write nothing (`echo: true, logprobs: 1,
 * max_tokens: 0`). vLLM answers this (it is how lm-evaluation-harness scores log-likelihoods
 * against it); llama.cpp's server, TGI's OpenAI route and Ollama return no prompt log-probabilities,
 * and are told apart from a failure by a `failed_precondition` error that names the missing feature.
 */
import { type ContinuationLikelihood, IsaraError, isIsaraError, type LikelihoodRequest } from "@isara/core";
import { z } from "zod";
import type { OpenAiEndpoint } from "./openai-endpoint.js";
import { parseResponse } from "./response-schemas.js";

/** The parts of an echoed `/v1/completions` answer scoring reads. */
const echoResponseSchema = z.object({
  choices: z
    .array(
      z.object({
        logprobs: z
          .object({
            token_logprobs: z.array(z.number().nullable()),
            text_offset: z.array(z.number()),
          })
          .nullish(),
      }),
    )
    .min(1),
});

function lacksPromptLogprobs(url: string, why: string, cause?: unknown): IsaraError {
  return new IsaraError(
    "failed_precondition",
    `the server at ${url} returns no prompt log-probabilities (${why}); likelihood metrics need a server that ` +
      "honours the legacy completions API's echo: true with logprobs (vLLM does; llama.cpp's server, TGI and Ollama do not)",
    undefined,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Scores each continuation of `request` with one echo request of prompt + continuation, summing the
 * log-probabilities of the tokens that start at or after the prompt's end (character offsets, as the
 * server reports them: the prompt must be tokenized the same way alone and joined, which holds for
 * ISARA's prompts, ending `ASSISTANT:`, and continuations starting with a space). The model is the
 * request's adapter name when given, as for completions.
 */
export async function scoreOverEcho(
  endpoint: OpenAiEndpoint,
  path: string,
  request: LikelihoodRequest,
  signal?: AbortSignal,
): Promise<ContinuationLikelihood[]> {
  const model = request.adapter ?? endpoint.config.model;
  const url = `${endpoint.config.baseUrl}${path}`;
  const results: ContinuationLikelihood[] = [];
  for (const continuation of request.continuations) {
    if (continuation === "") {
      results.push({ logprob: 0, tokens: 0 });
      continue;
    }
    const body = {
      model,
      prompt: request.prompt + continuation,
      max_tokens: 0,
      echo: true,
      logprobs: 1,
      temperature: 0,
    };
    let json: unknown;
    try {
      json = await endpoint.post(path, body, model, "the likelihood request", signal);
    } catch (err) {
      // A server that refuses the fields (400) cannot score; anything else (down, slow) is what it is.
      if (isIsaraError(err, "invalid_argument")) throw lacksPromptLogprobs(url, err.message, err);
      throw err;
    }
    const parsed = parseResponse(echoResponseSchema, json, url, "an echoed OpenAI completion");
    const logprobs = parsed.choices[0]?.logprobs;
    if (logprobs == null || logprobs.text_offset.length === 0) {
      throw lacksPromptLogprobs(url, "its answer has no logprobs for the echoed prompt");
    }
    let logprob = 0;
    let tokens = 0;
    logprobs.text_offset.forEach((offset, i) => {
      if (offset < request.prompt.length) return;
      const lp = logprobs.token_logprobs[i];
      if (lp == null) throw lacksPromptLogprobs(url, `token ${i} of the echoed prompt has no logprob`);
      logprob += lp;
      tokens++;
    });
    if (tokens === 0) throw lacksPromptLogprobs(url, "the echo covers the prompt but not the continuation");
    results.push({ logprob, tokens });
  }
  return results;
}
