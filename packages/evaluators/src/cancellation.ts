import { IsaraError } from "@isara/core";

/**
 * Throws the platform's `cancelled` error once `signal` has aborted, so every evaluator stops the
 * same way `mapPool` does and the runner can tell a stop on request from a failure.
 */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new IsaraError("cancelled", "stopped on request");
}
