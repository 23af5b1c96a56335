import { type ContinuationLikelihood, IsaraError, type LikelihoodRequest } from "@isara/core";
import type { ControlledEvaluateInputItem, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { throwIfAborted } from "./abort.js";
import { promptTokens } from "./generate.js";

/**
 * What each scored position asks llama.cpp for: every logit of the next token, raw (no sampler option
 * that changes logits is set). The log-softmax is then taken here in double precision: llama.cpp's
 * own normaliser (`totalLogitWeight`, summed in single precision) loses the vocabulary's long tail and
 * was 2e-4 too small on SmolLM2, an error that adds up over a reference's tokens. Copying the 49k
 * logits costs little next to the forward pass on a CPU.
 */
function scoredPosition(input: Token): ControlledEvaluateInputItem {
  return [input, { generateNext: { logits: true } }];
}

/**
 * Scores each continuation of `request` after its prompt on `sequence` (a fresh sequence of a context
 * that has the request's adapter applied, as completions get; see `ContextPool`). The prompt is
 * tokenized exactly as for a completion (`promptTokens`: start-of-text token when the model asks for
 * one), each continuation on its own with no start-of-text token, so every continuation follows the
 * same prompt tokens; the result is the sum of the continuation tokens' log-probabilities (natural
 * log) and their count. An empty continuation is certain: 0 over 0 tokens.
 *
 * The prompt is evaluated once; each continuation is evaluated after it and then erased from the
 * sequence, so the prompt's cache serves every continuation. Fails with `invalid_argument` when a
 * prompt and continuation do not fit the context, `cancelled` when `signal` aborts (checked between
 * continuations).
 */
export async function scoreContinuations(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  request: LikelihoodRequest,
  signal?: AbortSignal,
  specialTokens = false,
): Promise<ContinuationLikelihood[]> {
  const prompt = promptTokens(model, request.prompt, specialTokens);
  const last = prompt[prompt.length - 1];
  if (last === undefined) {
    throw new IsaraError(
      "invalid_argument",
      "the prompt is empty and the model has no beginning-of-text token; a continuation needs something to follow",
    );
  }
  const continuations = request.continuations.map((text) => model.tokenize(text, specialTokens));
  const longest = Math.max(0, ...continuations.map((c) => c.length));
  if (prompt.length + longest > sequence.contextSize) {
    throw new IsaraError(
      "invalid_argument",
      `the prompt (${prompt.length} tokens) and its longest continuation (${longest} tokens) do not fit the ` +
        `context of ${sequence.contextSize} tokens; shorten them or raise contextSize`,
      { promptTokens: prompt.length, continuationTokens: longest, contextSize: sequence.contextSize },
    );
  }
  throwIfAborted(signal);
  await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
  const start = sequence.nextTokenIndex;
  const results: ContinuationLikelihood[] = [];
  for (const tokens of continuations) {
    throwIfAborted(signal);
    if (tokens.length === 0) {
      results.push({ logprob: 0, tokens: 0 });
      continue;
    }
    const inputs = [last, ...tokens.slice(0, -1)];
    const outputs = await sequence.controlledEvaluate(inputs.map(scoredPosition));
    let logprob = 0;
    tokens.forEach((token, i) => {
      logprob += tokenLogprob(outputs[i]?.next.logits, token);
    });
    await sequence.eraseContextTokenRanges([{ start, end: sequence.nextTokenIndex }]);
    results.push({ logprob, tokens: tokens.length });
  }
  return results;
}

/** log-softmax of `token` over the full logits of one position, in double precision. */
function tokenLogprob(logits: Map<Token, number> | undefined, token: Token): number {
  const own = logits?.get(token);
  if (logits === undefined || own === undefined) {
    throw new IsaraError(
      "internal",
      `llama.cpp returned no logits for token ${token} of a scored continuation`,
    );
  }
  let max = Number.NEGATIVE_INFINITY;
  for (const v of logits.values()) if (v > max) max = v;
  let sum = 0;
  for (const v of logits.values()) sum += Math.exp(v - max);
  return own - max - Math.log(sum);
}
