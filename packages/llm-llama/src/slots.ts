import type { IsaraError } from "@isara/core";
import { cancelledError } from "./abort.js";

interface Waiter {
  readonly grant: (release: () => void) => void;
  readonly fail: (err: unknown) => void;
}

/**
 * A counting semaphore with a first-come, first-served queue. The adapter uses it to run at most
 * `size` completions at once (one per llama.cpp sequence) while any number of callers queue, so a
 * burst of requests neither oversubscribes the CPU nor runs out of sequences. A caller whose signal
 * fires while queued leaves the queue at once with a `cancelled` error.
 */
export class Slots {
  #free: number;
  readonly #queue: Waiter[] = [];
  #closed: IsaraError | undefined;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`slot count must be a positive integer, got ${size}`);
    this.#free = size;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Slots not held right now. */
  get free(): number {
    return this.#free;
  }

  /** Resolves with a release function (safe to call twice) once a slot is free. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    if (signal?.aborted) return Promise.reject(cancelledError(signal));
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.#queue.indexOf(waiter);
        if (at >= 0) this.#queue.splice(at, 1);
        if (signal !== undefined) reject(cancelledError(signal));
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(release);
        },
        fail: (err) => {
          signal?.removeEventListener("abort", onAbort);
          reject(err);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  /** Rejects every queued caller and every later `acquire` with `error`; held slots stay valid. */
  close(error: IsaraError): void {
    this.#closed = error;
    for (const waiter of this.#queue.splice(0)) waiter.fail(error);
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next !== undefined) next.grant(this.#releaser());
      else this.#free++;
    };
  }
}
