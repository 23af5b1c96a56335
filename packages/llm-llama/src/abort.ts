import { IsaraError } from "@isara/core";

/**
 * The error a completion rejects with when its caller's signal fires: code `cancelled`, with the
 * signal's reason as the cause, so callers can tell "I gave up" apart from a failure of the model.
 */
export function cancelledError(signal: AbortSignal, what = "the completion"): IsaraError {
  return new IsaraError("cancelled", `${what} was cancelled by its caller`, undefined, {
    cause: signal.reason,
  });
}

/** Throws {@link cancelledError} when `signal` has fired; a no-op without a signal. */
export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw cancelledError(signal, what);
}
