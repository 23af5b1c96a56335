/** Test support: a wrapper around a real `Llm` that lets a test see what the service asked of it. Not exported. */
import type { CompletionRequest, Llm } from "@isara/core";

/** An `Llm` that records every completion request it passes on, and how many ran at once. */
export interface CountingLlm extends Llm {
  /** Requests passed to the real model, in arrival order. */
  readonly requests: readonly CompletionRequest[];
  /** Most completions that were running at the same time. */
  readonly maxConcurrent: number;
  /** Whether the first `rendezvous` completions were all running at once (see {@link countingLlm}). */
  readonly metAtRendezvous: boolean;
}

/**
 * Wraps `inner`, recording requests; `close` does NOT close `inner`, which the test owns. With
 * `rendezvous: n`, the first n completions wait for each other before they run, so a test can see
 * that the caller keeps n completions in flight: a caller that runs them one by one never gets there
 * (the wait gives up after `giveUpMs`, a safety net, and `metAtRendezvous` stays false).
 */
export function countingLlm(
  inner: Llm,
  options: { rendezvous?: number; giveUpMs?: number } = {},
): CountingLlm {
  const requests: CompletionRequest[] = [];
  const rendezvous = options.rendezvous ?? 0;
  let active = 0;
  let maxConcurrent = 0;
  let met = false;
  const waiting: Array<{ go: () => void; timer: NodeJS.Timeout }> = [];
  const meet = async (): Promise<void> => {
    if (requests.length > rendezvous) return;
    if (waiting.length + 1 >= rendezvous) {
      met = true;
      for (const w of waiting.splice(0)) {
        clearTimeout(w.timer);
        w.go();
      }
      return;
    }
    await new Promise<void>((resolve) => {
      waiting.push({ go: resolve, timer: setTimeout(resolve, options.giveUpMs ?? 20_000) });
    });
  };
  return {
    modelId: inner.modelId,
    parallelism: inner.parallelism,
    requests,
    get maxConcurrent() {
      return maxConcurrent;
    },
    get metAtRendezvous() {
      return met;
    },
    async complete(request, signal) {
      requests.push(request);
      active++;
      maxConcurrent = Math.max(maxConcurrent, active);
      try {
        await meet();
        return await inner.complete(request, signal);
      } finally {
        active--;
      }
    },
    close: async () => {},
  };
}
