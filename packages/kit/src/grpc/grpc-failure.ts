/**
 * A failed gRPC call as the platform's one error type, so a caller can tell a peer that is down or
 * slow (UNAVAILABLE: retry later, or retry the work in place) from a request it refused (fix the
 * request, or dead-letter the work). The inverse of the kit's `grpcStatusFor`, plus the statuses only
 * a transport produces. Every service that calls another over gRPC maps failures with this one table.
 */
import { status as GrpcStatusCode, type ServiceError } from "@grpc/grpc-js";
import { type ErrorCode, IsaraError } from "@isara/core";

const CODES: ReadonlyMap<number, ErrorCode> = new Map([
  [GrpcStatusCode.INVALID_ARGUMENT, "invalid_argument"],
  [GrpcStatusCode.OUT_OF_RANGE, "invalid_argument"],
  [GrpcStatusCode.NOT_FOUND, "not_found"],
  [GrpcStatusCode.ALREADY_EXISTS, "conflict"],
  [GrpcStatusCode.PERMISSION_DENIED, "permission_denied"],
  [GrpcStatusCode.UNAUTHENTICATED, "unauthenticated"],
  [GrpcStatusCode.FAILED_PRECONDITION, "failed_precondition"],
  [GrpcStatusCode.RESOURCE_EXHAUSTED, "resource_exhausted"],
  [GrpcStatusCode.DEADLINE_EXCEEDED, "deadline_exceeded"],
  // The server is down, restarting, or dropped the call mid-way: all worth another try.
  [GrpcStatusCode.UNAVAILABLE, "unavailable"],
  [GrpcStatusCode.ABORTED, "unavailable"],
  // A peer that does not implement the method is a deployment mismatch, not a passing fault.
  [GrpcStatusCode.UNIMPLEMENTED, "failed_precondition"],
  [GrpcStatusCode.INTERNAL, "internal"],
  [GrpcStatusCode.DATA_LOSS, "internal"],
  [GrpcStatusCode.UNKNOWN, "internal"],
]);

/**
 * Whether `err` is a failed call as grpc-js reports it (an `Error` with a numeric gRPC status `code`),
 * as opposed to an `IsaraError` (string code) or a bug in the caller. Client-side mappers of any
 * status table (this module's, the gateway's) use it to tell the two apart.
 */
export function isGrpcServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === "number";
}

/**
 * `err` from a call of `method` as an `IsaraError` with the server's message. A call the caller
 * cancelled (`aborted`) is `cancelled`; a cancellation the caller did not ask for (the server or a
 * proxy reset the stream) is `unavailable`, so it is retried.
 */
export function grpcFailure(err: unknown, method: string, aborted: boolean): IsaraError {
  if (!isGrpcServiceError(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return new IsaraError("internal", `${method} failed: ${message}`, undefined, { cause: err });
  }
  const code: ErrorCode =
    err.code === GrpcStatusCode.CANCELLED
      ? aborted
        ? "cancelled"
        : "unavailable"
      : (CODES.get(err.code) ?? "internal");
  const name = GrpcStatusCode[err.code] ?? String(err.code);
  const hint = code === "unavailable" ? "; retry later" : "";
  return new IsaraError(code, `${method} failed (${name}): ${err.details || err.message}${hint}`, undefined, {
    cause: err,
  });
}
