/**
 * Test support: wrappers around a real `Llm` that let a test see what the service asked of it. Not
 * exported from the package.
 */
import { type Completion, type CompletionRequest, IsaraError, type Llm } from "@isara/core";

/** An `Llm` that records every completion request it passes on. */
export interface CountingLlm extends Llm {
  /** Requests passed to the real model, in arrival order. */
  readonly requests: readonly CompletionRequest[];
}

/** Wraps `inner`, recording requests; `close` closes `inner`. */
export function countingLlm(inner: Llm): CountingLlm {
  const requests: CompletionRequest[] = [];
  return {
    modelId: inner.modelId,
    parallelism: inner.parallelism,
    requests,
    complete(request, signal) {
      requests.push(request);
      return inner.complete(request, signal);
    },
    close: () => inner.close(),
  };
}

/**
 * Stands for an LLM server that is down for a while: the next `failures` completions fail with
 * `unavailable` (as an HTTP backend reports a refused connection), then it answers through `inner`.
 * `close` does not close `inner`, which the test owns.
 */
export function unavailableFor(inner: Llm, failures: number): Llm & { readonly refused: number } {
  let refused = 0;
  return {
    modelId: inner.modelId,
    parallelism: inner.parallelism,
    get refused() {
      return refused;
    },
    async complete(request: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
      if (refused < failures) {
        refused++;
        throw new IsaraError(
          "unavailable",
          "the LLM server refused the connection (ECONNREFUSED); retry later",
        );
      }
      return inner.complete(request, signal);
    },
    close: async () => {},
  };
}
