import { IsaraError } from "@isara/core";

/** Callbacks waiting on each signal, behind one listener per signal. */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Runs `callback` when `signal` fires and returns a function that forgets it. However many requests
 * wait on the same signal (a run-wide signal shared by hundreds of queued completions), the signal
 * gets one listener, so Node's listener-leak warning never fires and finished requests leave nothing.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let callbacks = waiting.get(signal);
  if (callbacks === undefined) {
    const created = new Set<() => void>();
    callbacks = created;
    waiting.set(signal, created);
    signal.addEventListener(
      "abort",
      () => {
        const due = [...created];
        created.clear();
        for (const run of due) run();
      },
      { once: true },
    );
  }
  const entry = (): void => callback();
  const set = callbacks;
  set.add(entry);
  return () => {
    set.delete(entry);
  };
}

/**
 * A signal that fires when any of `signals` fires, with that signal's reason, plus `dispose()` to
 * detach it. Like `AbortSignal.any`, but detached explicitly when a request ends, so a long-lived
 * caller signal does not keep every finished request's signal alive.
 */
export function linkSignals(signals: readonly (AbortSignal | undefined)[]): {
  readonly signal: AbortSignal;
  dispose(): void;
} {
  const controller = new AbortController();
  const detach: Array<() => void> = [];
  for (const source of signals) {
    if (source === undefined) continue;
    if (source.aborted) {
      controller.abort(source.reason);
      break;
    }
    detach.push(onAbort(source, () => controller.abort(source.reason)));
  }
  return {
    signal: controller.signal,
    dispose: () => {
      for (const forget of detach.splice(0)) forget();
    },
  };
}

/**
 * The error a request rejects with when its caller's signal fires: code `cancelled`, with the
 * signal's reason as the cause, so callers can tell "I gave up" apart from a failure of the server.
 */
export function cancelledError(signal: AbortSignal, what: string): IsaraError {
  return new IsaraError("cancelled", `${what} was cancelled by its caller`, undefined, {
    cause: signal.reason,
  });
}

/**
 * Waits `ms` milliseconds, or rejects with {@link cancelledError} as soon as `signal` fires, so a
 * cancelled request never sits out a backoff delay.
 */
export function sleep(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelledError(signal, what));
      return;
    }
    let forget = (): void => {};
    const timer = setTimeout(() => {
      forget();
      resolve();
    }, ms);
    if (signal !== undefined) {
      forget = onAbort(signal, () => {
        clearTimeout(timer);
        reject(cancelledError(signal, what));
      });
    }
  });
}
