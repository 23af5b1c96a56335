/**
 * When to restart a crashed process (pure: no clocks, the caller passes uptimes). Like a kubelet's
 * CrashLoopBackOff: the delay doubles with each crash in a row up to a cap, so a service that dies at
 * once does not burn the machine restarting, and a service that stayed up for a while starts again
 * from the shortest delay, so one crash after hours of work heals in about a second.
 */

/** How restarts are spaced. */
export interface RestartPolicy {
  /** Delay before the first restart after a crash. */
  readonly initialDelayMs: number;
  /** Longest delay; the doubling stops here. */
  readonly maxDelayMs: number;
  /** A process that ran at least this long before it exited counts as healthy: its backoff resets. */
  readonly resetAfterMs: number;
}

/** `make up`'s policy: 1 s, 2 s, 4 s, … capped at 30 s; reset after one minute up. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  resetAfterMs: 60_000,
};

/** The delay before restart number `crashesInARow` (1 = the first crash after a healthy run). */
export function restartDelay(policy: RestartPolicy, crashesInARow: number): number {
  const doublings = Math.max(0, crashesInARow - 1);
  // 2 ** 31 already exceeds any sensible cap; bounding the exponent keeps the number finite.
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(doublings, 31));
}

/** What follows one exit: how long to wait, and the crash count in a row to remember for the next. */
export interface BackoffStep {
  readonly delayMs: number;
  readonly crashesInARow: number;
}

/**
 * The next step after a process exited having run `uptimeMs`, given the crashes in a row before it.
 * A run of at least `resetAfterMs` forgets the earlier crashes.
 */
export function nextBackoff(policy: RestartPolicy, crashesBefore: number, uptimeMs: number): BackoffStep {
  const crashesInARow = (uptimeMs >= policy.resetAfterMs ? 0 : crashesBefore) + 1;
  return { delayMs: restartDelay(policy, crashesInARow), crashesInARow };
}
