import { IsaraError } from "@isara/core";
import type { Logger } from "pino";

/** Closes one component (a server, a consumer, a client); may be sync or async. */
export type CloseFn = () => unknown;

/** How one component's close went. */
export interface CloseResult {
  readonly name: string;
  readonly status: "closed" | "failed" | "timed_out";
  readonly durationMs: number;
  /** The error a failed close threw. */
  readonly error?: unknown;
}

/** What a whole shutdown did: every component, in the order they were closed. */
export interface ShutdownReport {
  readonly reason: string;
  readonly results: readonly CloseResult[];
  /** `true` when every component closed in time. */
  readonly ok: boolean;
}

/** Options of {@link createShutdown}. */
export interface ShutdownOptions {
  readonly logger: Logger;
  /** Default time each component gets to close before shutdown moves on. */
  readonly timeoutMs: number;
  /**
   * Called first, before anything closes, e.g. `() => health.startDraining(reason)` so readiness
   * fails and load balancers stop sending traffic while intake drains.
   */
  readonly onStart?: (reason: string) => void;
}

/** Graceful shutdown: components register as they start, and close in reverse on {@link Shutdown.shutdown}. */
export interface Shutdown {
  /**
   * Registers a component's close, in start order. Throws `failed_precondition` once shutdown has
   * begun, so a component that finished starting too late closes itself instead of leaking.
   */
  register(name: string, close: CloseFn, options?: { timeoutMs?: number }): void;
  /** Closes everything (see {@link createShutdown}); the same promise on every call. Never rejects. */
  shutdown(reason: string): Promise<ShutdownReport>;
  /** `true` once shutdown has begun. */
  readonly started: boolean;
}

type Outcome = { status: "closed" } | { status: "failed"; error: unknown } | { status: "timed_out" };

/** Runs `close` with a deadline; never rejects. The timer is cleared so it does not hold the process. */
async function closeWithin(close: CloseFn, timeoutMs: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ status: "timed_out" }), timeoutMs);
  });
  const attempt = (async (): Promise<Outcome> => {
    await close();
    return { status: "closed" };
  })().catch((error: unknown): Outcome => ({ status: "failed", error }));
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Makes the shutdown coordinator of a service. `shutdown(reason)` calls `onStart`, then closes the
 * registered components in REVERSE start order (servers and consumers were started last, so intake
 * stops first; clients they use close after them), each within its own timeout, moving on past a
 * failure or timeout so one stuck client cannot keep the others open, and logs each outcome. It is
 * idempotent: a second SIGTERM or a crash during shutdown gets the same promise, and nothing closes
 * twice.
 */
export function createShutdown(options: ShutdownOptions): Shutdown {
  const { logger } = options;
  const components: { name: string; close: CloseFn; timeoutMs: number }[] = [];
  let running: Promise<ShutdownReport> | undefined;

  async function run(reason: string): Promise<ShutdownReport> {
    logger.info({ reason, components: components.length }, "shutdown started");
    try {
      options.onStart?.(reason);
    } catch (err) {
      logger.error({ err }, "shutdown onStart hook failed; closing components anyway");
    }
    const results: CloseResult[] = [];
    for (const component of [...components].reverse()) {
      const started = performance.now();
      const outcome = await closeWithin(component.close, component.timeoutMs);
      const durationMs = Math.round(performance.now() - started);
      const log = { component: component.name, durationMs };
      if (outcome.status === "closed") {
        logger.info(log, "component closed");
        results.push({ name: component.name, status: "closed", durationMs });
      } else if (outcome.status === "failed") {
        logger.error({ ...log, err: outcome.error }, "component failed to close; continuing");
        results.push({ name: component.name, status: "failed", durationMs, error: outcome.error });
      } else {
        logger.warn(
          { ...log, timeoutMs: component.timeoutMs },
          "component did not close in time; continuing",
        );
        results.push({ name: component.name, status: "timed_out", durationMs });
      }
    }
    const ok = results.every((r) => r.status === "closed");
    logger.info({ reason, ok }, "shutdown finished");
    return { reason, results, ok };
  }

  return {
    register(name, close, registerOptions) {
      if (running !== undefined) {
        throw new IsaraError(
          "failed_precondition",
          `cannot register "${name}" for shutdown: shutdown has already begun; close it directly instead`,
        );
      }
      const timeoutMs = registerOptions?.timeoutMs ?? options.timeoutMs;
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
        throw new IsaraError(
          "invalid_argument",
          `shutdown timeout for "${name}" must be a positive number of ms`,
        );
      }
      components.push({ name, close, timeoutMs });
    },
    shutdown(reason) {
      running ??= run(reason);
      return running;
    },
    get started() {
      return running !== undefined;
    },
  };
}

/** The part of `process` that signal handling uses; tests pass an event emitter standing in for it. */
export interface SignalTarget {
  on(signal: "SIGINT" | "SIGTERM", listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: "SIGINT" | "SIGTERM", listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

/**
 * Wires SIGINT/SIGTERM to `shutdown` (the only process effect of this kit; `main.ts` calls it). The
 * first signal shuts down gracefully and then exits, 0 when every component closed and 1 otherwise,
 * because a timed-out close may still hold handles that would keep the process alive. A second
 * signal exits at once with 130, for an operator who does not want to wait. Returns an uninstaller.
 */
export function installSignalHandlers(
  shutdown: Shutdown,
  target: SignalTarget = process,
  logger?: Logger,
): () => void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received) {
      logger?.warn({ signal }, "second signal during shutdown; exiting now");
      target.exit(130);
      return;
    }
    received = true;
    void shutdown.shutdown(signal).then((report) => target.exit(report.ok ? 0 : 1));
  };
  target.on("SIGINT", onSignal);
  target.on("SIGTERM", onSignal);
  return () => {
    target.off("SIGINT", onSignal);
    target.off("SIGTERM", onSignal);
  };
}
