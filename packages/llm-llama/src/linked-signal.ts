/** Callbacks waiting on each signal, behind one listener per signal. */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Runs `callback` when `signal` fires and returns a function that forgets it. However many callers
 * wait on the same signal (a run-wide signal shared by hundreds of queued completions), the signal
 * gets a single listener, so Node's listener-leak warning never fires and nothing piles up.
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
  callbacks.add(entry);
  const set = callbacks;
  return () => {
    set.delete(entry);
  };
}

/**
 * A signal that fires when any of `signals` fires, with that signal's reason, plus `dispose()` to
 * detach it. Each completion links the caller's signal with its own, so the adapter can cancel its
 * work on close without touching the caller's signal.
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
