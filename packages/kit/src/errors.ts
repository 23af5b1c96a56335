import { type ErrorCode, IsaraError, isIsaraError } from "@isara/core";
import { z } from "zod";

/** Re-exported so services import the one platform error type from the kit or from core alike. */
export { type ErrorCode, IsaraError, isIsaraError };

/**
 * Numeric gRPC status codes (from the gRPC spec), so this kit maps errors without depending on a
 * gRPC library; they equal `@grpc/grpc-js`'s `status` enum values.
 */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  // Both are "the request conflicts with the current state of the resource" (RFC 9110 §15.5.10).
  conflict: 409,
  failed_precondition: 409,
  resource_exhausted: 429,
  // 499 "client closed request" (nginx): the caller went away; not the server's fault.
  cancelled: 499,
  internal: 500,
  unavailable: 503,
  deadline_exceeded: 504,
};

const GRPC_STATUS: Readonly<Record<ErrorCode, number>> = {
  invalid_argument: GrpcStatus.INVALID_ARGUMENT,
  unauthenticated: GrpcStatus.UNAUTHENTICATED,
  permission_denied: GrpcStatus.PERMISSION_DENIED,
  not_found: GrpcStatus.NOT_FOUND,
  conflict: GrpcStatus.ALREADY_EXISTS,
  failed_precondition: GrpcStatus.FAILED_PRECONDITION,
  resource_exhausted: GrpcStatus.RESOURCE_EXHAUSTED,
  cancelled: GrpcStatus.CANCELLED,
  internal: GrpcStatus.INTERNAL,
  unavailable: GrpcStatus.UNAVAILABLE,
  deadline_exceeded: GrpcStatus.DEADLINE_EXCEEDED,
};

/** The HTTP status an edge answers with for `code`; total over `ErrorCode`, so no code falls through to 500. */
export function httpStatusFor(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

/** The numeric gRPC status a server answers with for `code` (see {@link GrpcStatus}). */
export function grpcStatusFor(code: ErrorCode): number {
  return GRPC_STATUS[code];
}

/** The JSON body an HTTP edge sends for an error. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly details?: unknown;
    readonly requestId?: string;
  };
}

/**
 * The body to send to a caller for any thrown value. For `internal` errors (and anything that is not
 * an `IsaraError`) it sends only a fixed message and the request id, never the original message,
 * stack or details: those may hold paths, hosts or secrets, and belong in the server's log, which the
 * request id points to. Other codes carry their message and details, written for the caller.
 */
export function toErrorBody(err: unknown, requestId?: string): ErrorBody {
  const e = asIsaraError(err);
  const withId = requestId === undefined ? {} : { requestId };
  if (e.code === "internal") {
    return {
      error: { code: "internal", message: "internal error; the server log has the cause", ...withId },
    };
  }
  const details = e.details === undefined ? {} : { details: e.details };
  return { error: { code: e.code, message: e.message, ...details, ...withId } };
}

/** Node system error codes meaning "the other side is not there right now": retry later. */
const UNAVAILABLE_ERRNOS: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
]);
/** Node system error codes meaning "this machine ran out of something". */
const EXHAUSTED_ERRNOS: ReadonlySet<string> = new Set(["ENOSPC", "ENOMEM", "EMFILE", "ENFILE", "EDQUOT"]);

function errnoOf(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  return typeof err.code === "string" ? err.code : undefined;
}

/**
 * Any thrown value as an `IsaraError`, so edges handle one type. An `IsaraError` is returned as is;
 * an abort becomes `cancelled`, a timeout `deadline_exceeded`, a network failure `unavailable` and a
 * full disk or memory `resource_exhausted` (so retry logic sees them as retryable); a `ZodError`
 * becomes `invalid_argument` listing each `path: problem`; anything else is `internal`. The original
 * is kept as `cause` for the log; mapped messages name only the errno, never hosts or paths.
 */
export function asIsaraError(err: unknown): IsaraError {
  if (err instanceof IsaraError) return err;
  const name = err instanceof Error ? err.name : undefined;
  if (name === "AbortError")
    return new IsaraError("cancelled", "the operation was cancelled", undefined, { cause: err });
  if (name === "TimeoutError") {
    return new IsaraError("deadline_exceeded", "the operation timed out; retry later", undefined, {
      cause: err,
    });
  }
  if (err instanceof z.ZodError) {
    const problems = err.issues.map((i) => ({ path: i.path.map(String).join("."), problem: i.message }));
    const list = problems.map((p) => `${p.path || "(input)"}: ${p.problem}`).join("; ");
    return new IsaraError("invalid_argument", `invalid input: ${list}`, problems, { cause: err });
  }
  const errno = errnoOf(err);
  if (errno !== undefined && UNAVAILABLE_ERRNOS.has(errno)) {
    return new IsaraError("unavailable", `a dependency is unreachable (${errno}); retry later`, undefined, {
      cause: err,
    });
  }
  if (errno !== undefined && EXHAUSTED_ERRNOS.has(errno)) {
    return new IsaraError("resource_exhausted", `a resource ran out (${errno})`, undefined, { cause: err });
  }
  const message = err instanceof Error ? err.message : `non-error thrown: ${String(err)}`;
  return new IsaraError("internal", message, undefined, { cause: err });
}
