import type { Completion, Llm, Tokenizer } from "@isara/core";
import { completionRequest, type ResolvedSampling } from "./sampling.js";

/** Token counts of a response, as OpenAI reports them. */
export interface Usage {
  /** Prompt tokens (without the beginning-of-text token); left out when the server has no tokenizer. */
  readonly prompt_tokens?: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

/** Every choice of one request, in OpenAI's order, with the usage they add up to. */
export interface ChoiceRun {
  /** Choice `p * n + i` is prompt `p`'s `i`-th sample. */
  readonly completions: readonly Completion[];
  readonly usage: Usage;
}

/**
 * Runs `n` completions of every prompt on `llm`, all submitted at once so the model's parallel
 * slots stay busy (it queues the rest). Choice `i` of a prompt samples with seed `seed + i`. If one
 * fails, the others are aborted rather than left to hold slots for an answer nobody will read, and
 * the first failure is thrown; `signal` (the client going away) aborts them all.
 */
export async function runChoices(
  llm: Llm,
  tokenizer: Tokenizer | undefined,
  prompts: readonly string[],
  sampling: ResolvedSampling,
  adapter: string | undefined,
  signal: AbortSignal,
): Promise<ChoiceRun> {
  const group = new AbortController();
  const onAbort = (): void => group.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const runs = prompts.flatMap((prompt) =>
      Array.from({ length: sampling.n }, (_, i) =>
        llm.complete(completionRequest(prompt, sampling, i, adapter), group.signal).catch((err: unknown) => {
          group.abort(err);
          throw err;
        }),
      ),
    );
    const settled = await Promise.allSettled(runs);
    if (settled.some((s) => s.status === "rejected")) throw firstCause(settled, group.signal);
    const completions = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const completionTokens = completions.reduce((sum, c) => sum + c.tokens, 0);
    const promptTokens =
      tokenizer === undefined ? undefined : prompts.reduce((sum, p) => sum + tokenizer.countTokens(p), 0);
    return {
      completions,
      usage: {
        ...(promptTokens === undefined ? {} : { prompt_tokens: promptTokens }),
        completion_tokens: completionTokens,
        total_tokens: (promptTokens ?? 0) + completionTokens,
      },
    };
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** The error that started the failure: the group's abort reason (the first failure), not a follower's "cancelled". */
function firstCause(settled: readonly PromiseSettledResult<Completion>[], group: AbortSignal): unknown {
  if (group.aborted && group.reason !== undefined) return group.reason;
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  return rejected?.reason;
}
