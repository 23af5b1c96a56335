/**
 * The one error type of the platform. Every failure a user can cause or fix carries a code, so the
 * edges (HTTP, gRPC, CLI, Kafka handlers) can map it to a status, an exit code or a dead-letter
 * decision without parsing messages. The codes, as data so schemas can validate them:
 */
export const ERROR_CODES = [
  /** The input is wrong; the message says what to fix. Not retryable. */
  "invalid_argument",
  /** A referenced thing (domain, run, model file) does not exist. */
  "not_found",
  /** The thing already exists with different content. */
  "conflict",
  /** The caller is not authenticated. */
  "unauthenticated",
  /** The caller may not touch this tenant's data. */
  "permission_denied",
  /** The operation does not fit the current state (e.g. resuming a finished run). */
  "failed_precondition",
  /** A dependency is down or overloaded; retrying later may work. */
  "unavailable",
  /** A deadline passed; retrying may work. */
  "deadline_exceeded",
  /** The caller cancelled. */
  "cancelled",
  /** Disk, memory or quota ran out. */
  "resource_exhausted",
  /** A bug or an unexpected failure of a dependency. */
  "internal",
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes after which the same request may succeed if retried. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set(["unavailable", "deadline_exceeded", "resource_exhausted"]);

/** An error with a code, a message for people (what is wrong and how to fix it) and optional details. */
export class IsaraError extends Error {
  override readonly name = "IsaraError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Structured details, e.g. the list of invalid fields. */
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** `true` when retrying the same operation later may succeed. */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}

/** `true` when `err` is an {@link IsaraError}, optionally with the given code. */
export function isIsaraError(err: unknown, code?: ErrorCode): err is IsaraError {
  return err instanceof IsaraError && (code === undefined || err.code === code);
}
