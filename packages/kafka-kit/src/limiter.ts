/**
 * A first-come, first-served limit on work in flight, shared by every partition a batch consumer
 * reads (see `createConsumerLoop`): generation's LLM runs `capacity` completions at once, so that many
 * work messages are handled at once, whichever runs (partitions) they belong to, and a run with
 * thousands of slots queues behind itself instead of in front of a small run on another partition.
 */
import { IsaraError } from "@isara/core";

/** A counting semaphore; `acquire` resolves to the function that gives the slot back. */
export interface Limiter {
  acquire(): Promise<() => void>;
  /** Slots held now. */
  readonly active: number;
  /** Callers waiting for a slot. */
  readonly waiting: number;
}

/**
 * A limiter of `capacity` slots; waiters are served in arrival order, and releasing a slot twice is
 * a no-op (so a `finally` that runs after an early release cannot free someone else's slot).
 * @throws IsaraError `invalid_argument` when `capacity` is not a positive integer.
 */
export function createLimiter(capacity: number): Limiter {
  if (!Number.isSafeInteger(capacity) || capacity < 1) {
    throw new IsaraError("invalid_argument", `concurrency must be a positive integer, got ${capacity}`);
  }
  let active = 0;
  const queue: Array<() => void> = [];
  const slot = (): (() => void) => {
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const next = queue.shift();
      if (next === undefined) active--;
      else next();
    };
  };
  return {
    acquire() {
      if (active < capacity) {
        active++;
        return Promise.resolve(slot());
      }
      return new Promise((resolve) => queue.push(() => resolve(slot())));
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}
