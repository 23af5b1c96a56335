import { IsaraError } from "@isara/core";

/**
 * A health check: resolves (or returns) to pass, throws/rejects or returns `false` to fail. A string
 * result passes and is shown as the detail (e.g. `"3 partitions assigned"`).
 */
export type HealthCheck = () => boolean | string | undefined | Promise<boolean | string | undefined>;

/** The outcome of one check. */
export interface CheckStatus {
  readonly status: "ok" | "fail";
  /** Why it failed, or what the check reported; `undefined` when nothing to say. */
  readonly detail: string | undefined;
  readonly durationMs: number;
}

/** The answer of `/healthz` or `/readyz` (and of the gRPC health service). */
export interface HealthReport {
  /** `ok` only when every check is ok. */
  readonly status: "ok" | "fail";
  readonly checks: Readonly<Record<string, CheckStatus>>;
}

/** Options of {@link HealthRegistry.register}. */
export interface CheckOptions {
  /** `readiness` (default): may this instance take traffic? `liveness`: should it be restarted? */
  readonly kind?: "readiness" | "liveness";
  /** How long the check may take before it counts as failed. */
  readonly timeoutMs?: number;
}

/** Named health checks of one service, and its draining state. */
export interface HealthRegistry {
  /** Adds a check; names are unique so a report never hides one check behind another. */
  register(name: string, check: HealthCheck, options?: CheckOptions): void;
  /**
   * Liveness: runs only liveness checks, and ignores draining and dependencies, so an instance is
   * not restarted because a database is down or because it is busy shutting down cleanly.
   */
  liveness(): Promise<HealthReport>;
  /** Readiness: runs readiness checks concurrently; fails at once, without running them, while draining. */
  readiness(): Promise<HealthReport>;
  /** Marks the instance as draining (called when shutdown starts); readiness fails from then on. */
  startDraining(reason?: string): void;
  readonly draining: boolean;
}

interface Entry {
  readonly check: HealthCheck;
  readonly kind: "readiness" | "liveness";
  readonly timeoutMs: number;
}

async function runCheck(entry: Entry): Promise<CheckStatus> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${entry.timeoutMs}ms`)), entry.timeoutMs);
  });
  let status: "ok" | "fail";
  let detail: string | undefined;
  try {
    const result = await Promise.race([(async () => entry.check())(), timeout]);
    status = result === false ? "fail" : "ok";
    detail = typeof result === "string" ? result : result === false ? "check returned false" : undefined;
  } catch (err) {
    status = "fail";
    detail = err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
  }
  return { status, detail, durationMs: Math.round(performance.now() - started) };
}

async function report(entries: readonly [string, Entry][]): Promise<HealthReport> {
  const results = await Promise.all(
    entries.map(async ([name, entry]) => [name, await runCheck(entry)] as const),
  );
  const checks = Object.fromEntries(results);
  const status = results.every(([, r]) => r.status === "ok") ? "ok" : "fail";
  return { status, checks };
}

/**
 * Makes a health registry. Components register named checks as they start; the HTTP edge serves
 * `liveness()` at `/healthz` and `readiness()` at `/readyz`, a gRPC server maps them to
 * `grpc.health.v1`. Every check runs with a timeout (`defaultTimeoutMs` unless given), because a
 * probe that hangs is itself a failure and must not hold the prober.
 */
export function createHealthRegistry(options: { defaultTimeoutMs?: number } = {}): HealthRegistry {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 2000;
  const entries = new Map<string, Entry>();
  let drainReason: string | undefined;

  return {
    register(name, check, checkOptions) {
      if (name === "" || entries.has(name)) {
        throw new IsaraError(
          "invalid_argument",
          `health check name "${name}" is ${name === "" ? "empty" : "already registered"}; give each check a unique name`,
        );
      }
      const timeoutMs = checkOptions?.timeoutMs ?? defaultTimeoutMs;
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
        throw new IsaraError(
          "invalid_argument",
          `health check "${name}": timeoutMs must be a positive number`,
        );
      }
      entries.set(name, { check, kind: checkOptions?.kind ?? "readiness", timeoutMs });
    },
    liveness() {
      return report([...entries].filter(([, e]) => e.kind === "liveness"));
    },
    async readiness() {
      if (drainReason !== undefined) {
        return {
          status: "fail",
          checks: { draining: { status: "fail", detail: `shutting down (${drainReason})`, durationMs: 0 } },
        };
      }
      return report([...entries].filter(([, e]) => e.kind === "readiness"));
    },
    startDraining(reason = "draining") {
      drainReason ??= reason;
    },
    get draining() {
      return drainReason !== undefined;
    },
  };
}
