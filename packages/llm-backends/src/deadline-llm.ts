/**
 * A per-completion deadline for backends that have none of their own (llama.cpp in process): a
 * completion still running after `timeoutMs` is aborted and fails with `deadline_exceeded`, which is
 * retryable, so a stage retries the work (bounded by its retry policy) instead of waiting forever on
 * a stuck generation. The HTTP backend needs no wrapper: its client times out each attempt itself.
 */
import {
  type Completion,
  type CompletionRequest,
  canScoreLikelihood,
  IsaraError,
  type LikelihoodRequest,
  type LikelihoodScorer,
  type Llm,
} from "@isara/core";

/**
 * `inner` with every completion limited to `timeoutMs`. The caller's own `signal` still wins: an
 * abort by the caller rejects as `inner` rejects it (`cancelled`), never as a timeout. `close`
 * closes `inner`. When `inner` can score likelihoods, so can the result, under the same deadline per
 * scoring request (an eval item's references), so likelihood metrics survive the wrapper.
 * @throws IsaraError `invalid_argument` when `timeoutMs` is not a positive integer.
 */
export function withDeadline(inner: Llm, timeoutMs: number): Llm {
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw new IsaraError(
      "invalid_argument",
      `completion timeout must be a positive number of milliseconds, got ${timeoutMs}`,
    );
  }
  const limited = async <T>(run: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> => {
    // A timer of our own, not AbortSignal.timeout: that one does not keep the process alive, so a
    // lone stuck completion would end the event loop instead of timing out.
    const timer = new AbortController();
    const clock = setTimeout(() => timer.abort(), timeoutMs);
    const linked = signal === undefined ? timer.signal : AbortSignal.any([signal, timer.signal]);
    try {
      return await run(linked);
    } catch (err) {
      if (timer.signal.aborted && !signal?.aborted) {
        throw new IsaraError(
          "deadline_exceeded",
          `the completion took longer than ${timeoutMs} ms and was stopped; retry later, or raise LLM_TIMEOUT_MS ` +
            "(or lower max_tokens) if the model is this slow",
          undefined,
          { cause: err },
        );
      }
      throw err;
    } finally {
      clearTimeout(clock);
    }
  };
  const llm: Llm = {
    modelId: inner.modelId,
    parallelism: inner.parallelism,
    complete: (request: CompletionRequest, signal?: AbortSignal): Promise<Completion> =>
      limited((linked) => inner.complete(request, linked), signal),
    close: () => inner.close(),
  };
  if (!canScoreLikelihood(inner)) return llm;
  return {
    ...llm,
    scoreContinuations: (request: LikelihoodRequest, signal?: AbortSignal) =>
      limited((linked) => inner.scoreContinuations(request, linked), signal),
  } as Llm & LikelihoodScorer;
}
