/**
 * A failed gRPC call as the platform's one error type, so the stage consumer can tell a retrieval
 * service that is down or slow (retry in place) from a request it refused (dead-letter the work).
 * The inverse of the kit's `grpcStatusFor`, plus the statuses only a transport produces (the same
 * mapping as the generation service's; both call the same RetrievalService).
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

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === "number";
}

/**
 * `err` from a call of `method` as an `IsaraError` with the server's message. A call the caller
 * cancelled (`aborted`) is `cancelled`; a cancellation the caller did not ask for (the server or a
 * proxy reset the stream) is `unavailable`, so it is retried.
 */
export function grpcFailure(err: unknown, method: string, aborted: boolean): IsaraError {
  if (!isServiceError(err)) {
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
